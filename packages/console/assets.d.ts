/** One built file: its media type, a strong validator, whether its name carries its hash, and its bytes gzipped (base64). */
export interface StaticAsset {
  type: string;
  etag: string;
  immutable: boolean;
  size: number;
  gzip: string;
}

/** The console and the API reference by URL path (`/`, `/assets/…`, `/docs`, `/docs/…`), or null when not built. */
export declare const assets: Readonly<Record<string, StaticAsset>> | null;
