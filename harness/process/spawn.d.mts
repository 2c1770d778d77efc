import type { ChildProcess } from 'node:child_process';

export declare const zygoteEntry: string;
export declare function spawnProgramProcess(spec: { entry: string; args: string[]; cwd?: string }): ChildProcess;
export declare function spawnZygoteProcess(): ChildProcess;
export declare function startEarlyZygote(): void;
/** `ready`: the zygote said it is ready before the taker listened. */
export declare function takeEarlyZygote(): { child: ChildProcess; ready: boolean } | undefined;
