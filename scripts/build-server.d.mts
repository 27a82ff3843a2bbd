/** Types of scripts/build-server.mjs (plain JavaScript, so that `npm start` runs without a TypeScript loader). */
export declare const ROOT: string;
export declare const SERVER_BUNDLE: string;
export declare function buildServer(): Promise<string>;
export declare const SERVER_NODE_FLAGS: string[];
export declare const SERVER_ENV: Record<string, string>;
