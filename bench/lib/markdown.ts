/** Writes a generated Markdown report formatted the way the repository's prettier config would leave it. */
import { writeFileSync } from 'node:fs';
import * as prettier from 'prettier';

export async function writeMarkdown(file: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}
