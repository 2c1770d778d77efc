import type { Socket } from 'node:net';

export declare function socketPath(root: string): string | undefined;
export declare function infoPath(root: string): string;
export declare function logPath(root: string): string;
export declare function stalenessKey(root: string, env?: NodeJS.ProcessEnv): string;
export declare function readMessages(socket: Socket, onMessage: (message: any) => void): void;
export declare function send(socket: Socket, message: object): void;
