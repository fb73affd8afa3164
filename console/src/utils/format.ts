/** Display helpers (dates are already Asia/Shanghai on the wire). */

/** `2026-11-17T13:23:44.217` → `2026-11-17 13:23:44`; empty for null. */
export function dateTime(value: string | null | undefined): string {
  if (!value) return ''
  return value.replace('T', ' ').replace(/\.\d+$/, '')
}

/** `statics/…` (maybe with `\`) → a URL on the API's origin; absolute URLs (WeChat's) as they are. */
export function imageUrl(path: string | null | undefined, fallback = 'statics/imgs/setAvator.jpg'): string {
  const value = path || fallback
  if (/^(https?:|data:|blob:)/.test(value)) return value
  const base = import.meta.env.VITE_API_BASE ?? ''
  return `${base}/${value.replace(/\\/g, '/').replace(/^\/+/, '')}`
}

export const OPEN_LENGTH: Record<number, string> = { 1: '一个月', 2: '二个月', 3: '三个月', 4: '一年', 5: '二年' }
