declare module 'markdown-escape' {
  export default function markdownEscape(text: string, skips?: string[]): string;
}
