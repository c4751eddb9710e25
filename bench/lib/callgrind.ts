/**
 * Talking to a process under `valgrind --tool=callgrind` (zero its counters, dump them) and reading its dumps:
 * the total instruction count, and the part of it that is V8 compiling or collecting garbage.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `callgrind_control COMMAND PID`. It reaches the process through vgdb's pipes in /tmp, named after $USER
 * and $HOST: pass the HOST the process was started with (the service's environment sets HOST, its listen
 * address), or vgdb looks for other names and finds none.
 */
export function callgrindControl(pid: number, command: string, host: string | undefined): void {
  execFileSync('callgrind_control', [command, String(pid)], {
    stdio: 'ignore',
    timeout: 120_000,
    env: { ...process.env, HOST: host ?? '' },
  });
}

/** Asks callgrind in `pid` to dump its counts since the last zero into `dir`; returns the new dump file. */
export async function dump(
  pid: number,
  host: string | undefined,
  dir: string,
  name: string,
): Promise<string> {
  const before = new Set(readdirSync(dir));
  callgrindControl(pid, `--dump=${name}`, host);
  for (let waited = 0; waited < 60_000; waited += 100) {
    const fresh = readdirSync(dir).filter((f) => !before.has(f));
    const file = fresh.length === 1 ? path.join(dir, fresh[0] as string) : undefined;
    // The totals line comes last: once it is there, the dump is complete.
    if (file && /^totals:/m.test(readFileSync(file, 'utf8'))) return file;
    await sleep(100);
  }
  throw new Error(`callgrind in ${pid} wrote no dump for ${name}`);
}

/** A dump's instruction count (Ir): its summary line, which callgrind_annotate shows as PROGRAM TOTALS. */
export function dumpTotal(file: string): number {
  const match = /^summary:\s+(\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!match) throw new Error(`${file}: no summary line`);
  return Number(match[1]);
}

/**
 * V8's tiering: its compilers (TurboFan, Sparkplug, the parser and bytecode generator) and deoptimization. A
 * function's own instructions only (callgrind_annotate's exclusive costs), so a memcpy the compiler calls counts
 * as work: a slight undercount of this part.
 */
const COMPILE =
  /v8::internal::(compiler|maglev|baseline|interpreter)::|Parser|Scanner|BytecodeGenerator|BytecodeArray|v8::internal::Zone|AstValue|AstNode|Deoptimiz|TranslatedState|TranslatedFrame|Compiler::|CompilationJob|TieringManager|ScopeInfo|DeclarationScope|Scope::|FuncNameInferrer|SourcePosition|CodeGenerator|Assembler|RelocInfo|RegisterAllocator|OptimizedCompilationInfo|SafepointTable/;
/** V8's garbage collector: scavenges, incremental marking, mark-compact, sweeping. */
const GC =
  /Heap::|heap::base|cppgc|MarkCompact|Marking|Scaveng|Sweep|Evacuat|GCTracer|RememberedSet|SlotSet|BodyDescriptor|Visitor|IterateObjectCache|FreeList|MemoryAllocator|LargeObjectSpace|PagedSpace|SemiSpace|NewSpace|MemoryChunk|WeakObjects|ArrayBufferSweeper|MinorMC|IncrementalMarking|HeapObject::SizeFromMap/;

export interface Parts {
  /** V8 compiling and deoptimizing. */
  readonly compile: number;
  /** V8 collecting garbage. */
  readonly gc: number;
  /** Everything else: our code, the libraries', Node's, V8's runtime and builtins, SQLite, libc. */
  readonly work: number;
}

/** Splits a dump's instructions by function name (exclusive costs from callgrind_annotate). */
export function dumpParts(file: string): Parts {
  const out = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  let compile = 0;
  let gc = 0;
  let work = 0;
  let listing = false;
  for (const line of out.split('\n')) {
    if (line.includes('file:function')) {
      listing = true;
      continue;
    }
    const match = listing ? /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$/.exec(line) : null;
    if (!match) continue;
    const ir = Number((match[1] as string).replaceAll(',', ''));
    const fn = match[2] as string;
    if (COMPILE.test(fn)) compile += ir;
    else if (GC.test(fn)) gc += ir;
    else work += ir;
  }
  return { compile, gc, work };
}

/** Whether V8 ran a full garbage collection (mark-compact) in the dump's window: the window's noisiest event. */
export function dumpHasMarkCompact(file: string): boolean {
  return readFileSync(file, 'utf8').includes('MarkCompactCollector::CollectGarbage');
}
