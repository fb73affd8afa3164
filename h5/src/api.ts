/**
 * The H5 pages' API client: the console's signing client (console/src/api/client.ts) with the customer's
 * session — `{user_id, token}` from 16.1 — kept in localStorage under `zgld.h5.{appid}` (one customer
 * identity per official account and browser). Toasts go through Vant.
 */
import { showFailToast, showToast } from 'vant'
import { ApiClient, ApiError, heartbeatPause, type SessionStore } from '@console-api/client'
import type { Session } from '@console-api/session'

export { ApiError, heartbeatPause }
export const A = '/zhugeleida/admin'
export const G = '/zhugeleida/gongzhonghao'

let appid: string | null = null
const LAST = 'zgld.h5.last'

function key(): string | null {
  return appid ? `zgld.h5.${appid}` : null
}

const customerStore: SessionStore = {
  load() {
    const k = key()
    const text = k ? localStorage.getItem(k) : null
    if (!text) return null
    try {
      const value = JSON.parse(text) as Session
      return typeof value.token === 'string' && Number.isInteger(Number(value.user_id)) ? value : null
    } catch {
      return null
    }
  },
  save(session) {
    const k = key()
    if (!k) return
    localStorage.setItem(k, JSON.stringify({ user_id: session.user_id, token: session.token }))
    localStorage.setItem(LAST, appid as string)
  },
  clear() {
    const k = key()
    if (k) localStorage.removeItem(k)
  },
}

export const api = new ApiClient({
  base: import.meta.env.VITE_API_BASE ?? '',
  // A surge of readers meets a full queue (HTTP 503): back off and try again (the client's overloadPause).
  overloadRetries: 5,
  store: customerStore,
  notifier: {
    success: (msg) => showToast(msg),
    warning: (msg) => showToast(msg),
    error: (msg) => showFailToast(msg),
    alert: (msg) => showFailToast(msg),
    signedOut: () => {},
  },
})

/**
 * Which official account's customer this page signs as: the `appid` WeChat's OAuth redirect brings, else the
 * one last seen for the link's `company_id`, else the last one used in this browser.
 */
export function useAccount(companyId?: string | null, oauthAppid?: string | null): void {
  const byCompany = companyId ? `zgld.h5.company.${companyId}` : null
  if (oauthAppid) {
    appid = oauthAppid
    if (byCompany) localStorage.setItem(byCompany, oauthAppid)
  } else {
    appid = (byCompany && localStorage.getItem(byCompany)) || localStorage.getItem(LAST)
  }
}

export function saveCustomer(userId: number, token: string): void {
  customerStore.save({ user_id: userId, token } as Session)
}

export function hasCustomer(): boolean {
  return customerStore.load() !== null
}

/** The page's own query parameters (a plain object of strings). */
export function pageQuery(): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(window.location.search).entries())
}

/** Drop OAuth's one-time parameters from the address bar (a reload must not spend the code again). */
export function dropFromUrl(...names: string[]): void {
  const url = new URL(window.location.href)
  names.forEach((name) => url.searchParams.delete(name))
  history.replaceState(history.state, '', url.toString())
}

/** A message for a refused request, by its code (the page shows it in van-empty). */
export function explain(error: unknown, byCode: Record<number, string> = {}): string {
  if (error instanceof ApiError) {
    if (byCode[error.code]) return byCode[error.code]
    if (error.code === 302) return '内容不存在或已下架'
    if (error.code === 429) return '操作太频繁，请稍后再试'
    return error.message || '服务器错误'
  }
  return '网络错误，请稍后重试'
}

/**
 * Field → message of a 301/303 refusal for a flat form: the field's own message (the label stands next to it
 * already, so not the envelope's `msg`, which starts with it).
 */
export function fieldMessages(error: ApiError): Record<string, string> {
  const out: Record<string, string> = {}
  const data = error.data
  if (!data || typeof data !== 'object') return out
  for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
    const message = Array.isArray(value) ? value[0] : value
    if (typeof message === 'string') out[name] = message
  }
  const fallback = error.fieldErrors()
  return Object.keys(out).length ? out : fallback
}
