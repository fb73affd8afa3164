/**
 * The one API client of the console. Every request but login is signed (query `rand_str`, `timestamp`,
 * `user_id`, with `rand_str = md5(timestamp + token)`); POST bodies are x-www-form-urlencoded with list and
 * object fields JSON-encoded; the `{code, msg, data}` envelope is mapped to what the page shows (see
 * docs/console.md). Pages never sign anything themselves.
 */
import { md5 } from 'js-md5'
import { clearSession, loadSession, saveSession, type Session } from './session'

export interface Envelope<T = unknown> {
  code: number
  msg: string
  data: T
}

/** What the client tells the person; the UI layer (ui.ts) plugs Element Plus and the router in. */
export interface Notifier {
  success(msg: string): void
  warning(msg: string): void
  error(msg: string): void
  alert(msg: string, title: string): void
  /** The session is gone (400/306): go to the sign-in page with `msg`. */
  signedOut(msg: string): void
}

export interface RequestOptions {
  query?: Record<string, unknown>
  data?: Record<string, unknown>
  /** No toast at all (the caller shows the outcome). */
  silent?: boolean
  /** The form shows 300/301/303/305 on its fields: no toast for them. */
  form?: boolean
  /** Not signed (1.0 login). */
  unsigned?: boolean
  /** This request's own number of overload retries (the client's by default). */
  overloadRetries?: number
}

export const BUSINESS_CODES = new Set([200, 300, 301, 302, 303, 304, 305, 306, 400, 401, 402, 403, 404, 429, 500])
const FIELD_CODES = new Set([300, 301, 303, 305])

/** A refused request: `code`/`msg`/`data` of the envelope and, for a form, the message of each field. */
export class ApiError extends Error {
  readonly code: number
  readonly data: unknown
  readonly retryAfter: number | null
  /** The HTTP status; null when no answer came (a network error). */
  readonly status: number | null

  constructor(envelope: Envelope, retryAfter: number | null = null, status: number | null = null) {
    super(envelope.msg)
    this.name = 'ApiError'
    this.code = envelope.code
    this.data = envelope.data
    this.retryAfter = retryAfter
    this.status = status
  }

  /** The server was overloaded (HTTP 503) or did not answer: the request was not served. */
  get unserved(): boolean {
    return this.status === 503 || this.status === null
  }

  /** A WeChat errcode passed through (40013, 85009…), not one of the API's own codes. */
  get isWechat(): boolean {
    return !BUSINESS_CODES.has(this.code)
  }

  /**
   * Field → message for a form. 300 (duplicate) marks `uniqueField`; 301/303 mark the keys of `data`
   * (the first gets `msg`, which starts with its label; nested paths such as `goods_data[1].price` too);
   * 305 marks `passwordField`. Empty when the refusal names no field (a business rule).
   */
  fieldErrors(uniqueField?: string, passwordField?: string): Record<string, string> {
    const out: Record<string, string> = {}
    if (this.code === 300 && uniqueField) out[uniqueField] = this.message
    if (this.code === 305 && passwordField) out[passwordField] = this.message
    if ((this.code === 301 || this.code === 303) && this.data && typeof this.data === 'object') {
      const paths = leafPaths(this.data as Record<string, unknown>).filter(([path]) => path !== '_schema')
      paths.forEach(([path, msg], index) => {
        if (!(path in out)) out[path] = index === 0 ? this.message : msg
      })
    }
    return out
  }
}

function leafPaths(value: unknown, prefix = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[prefix, value]]
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item === 'string')) return value.length ? [[prefix, String(value[0])]] : []
    return value.flatMap((item, i) => leafPaths(item, `${prefix}[${i}]`))
  }
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
      const path = /^\d+$/.test(key) && prefix ? `${prefix}[${key}]` : prefix ? `${prefix}.${key}` : key
      return leafPaths(item, path)
    })
  }
  return []
}

const silentNotifier: Notifier = {
  success: () => {},
  warning: () => {},
  error: () => {},
  alert: () => {},
  signedOut: () => {},
}

/** Where the client keeps the signed-in identity: the console's session by default; the H5 pages plug in the
 * customer's (see h5/src/api.ts). */
export interface SessionStore {
  load(): Session | null
  save(session: Session): void
  clear(): void
}

const consoleStore: SessionStore = {
  load: () => loadSession(),
  save: (session) => saveSession(session),
  clear: () => clearSession(),
}

export interface ClientOptions {
  base?: string
  store?: SessionStore
  notifier?: Notifier
  fetch?: typeof fetch
  now?: () => number
  /** How many times a request refused for overload (HTTP 503) is sent again; 0: never. See overloadPause. */
  overloadRetries?: number
  /** Waits `ms` milliseconds (tests pass one that does not). */
  sleep?: (ms: number) => Promise<void>
  /** A number in [0, 1) (tests pass a fixed one). */
  random?: () => number
}

/** The longest pause before an overloaded request is sent again, in ms. */
export const OVERLOAD_MAX_PAUSE = 8000

/**
 * The one retry rule for an overloaded server (HTTP 503: the proxy's queue is full, or the database is away;
 * the request was not served, docs/h5.md "Overload"): wait 0.5 s, 1 s, 2 s, 4 s, 8 s…, never less than the
 * server's `Retry-After`; each pause spread over its upper half at random, so that the clients a surge turned
 * away do not all come back in the same instant. A retry says so (`X-Retry-Attempt`): the proxy gives retries a
 * bounded share of the app, so that after a surge new requests are served while the turned-away ones retry.
 */
export function overloadPause(attempt: number, retryAfter: number | null, random: number): number {
  const base = Math.max((retryAfter ?? 0) * 1000, Math.min(OVERLOAD_MAX_PAUSE, 500 * 2 ** attempt))
  return Math.round(base * (0.5 + random / 2))
}

/**
 * The pause before a page's next heartbeat, in seconds (docs/h5.md "Overload"): `interval` (15.1's) while the
 * server takes them, or the longer one a busy server asked for in its answer (`asked`, 16.5's
 * heartbeat_interval, at most STAYTIME_MAX_STEP); after one it did not serve (overloaded), twice the previous
 * pause, up to three intervals — the server counts up to STAYTIME_MAX_STEP (three default intervals) since the
 * last heartbeat it took, so nothing is lost, and an overloaded server meets a third of the heartbeats; each one
 * served halves the pause again.
 */
export function heartbeatPause(previous: number, interval: number, served: boolean, asked = interval): number {
  return served ? Math.max(asked, previous / 2) : Math.min(3 * interval, previous * 2)
}

export class ApiClient {
  base: string
  notifier: Notifier
  /** Server time minus local time, in ms, learnt from a refused timestamp's `Date` header. */
  clockOffset = 0
  private lastTimestamp = 0
  private pending = 0
  private pendingListeners = new Set<(pending: number) => void>()
  private readonly fetchImpl: typeof fetch
  private readonly now: () => number
  private readonly store: SessionStore
  private readonly overloadRetries: number
  private readonly sleep: (ms: number) => Promise<void>
  private readonly random: () => number

  constructor(options: ClientOptions = {}) {
    this.base = options.base ?? ''
    this.store = options.store ?? consoleStore
    this.notifier = options.notifier ?? silentNotifier
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args))
    this.now = options.now ?? (() => Date.now())
    this.overloadRetries = options.overloadRetries ?? 0
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
    this.random = options.random ?? Math.random
  }

  get session(): Session | null {
    return this.store.load()
  }

  /** A fresh, strictly increasing millisecond timestamp: no two requests share one. */
  nextTimestamp(): string {
    this.lastTimestamp = Math.max(Math.round(this.now() + this.clockOffset), this.lastTimestamp + 1)
    return String(this.lastTimestamp)
  }

  /** The signature query of one request. */
  sign(session: Pick<Session, 'token' | 'user_id'>): { rand_str: string; timestamp: string; user_id: string } {
    const timestamp = this.nextTimestamp()
    return { rand_str: md5(timestamp + session.token), timestamp, user_id: String(session.user_id) }
  }

  /** Called with the number of requests in flight whenever it changes (the page-wide loading bar). */
  onPending(listener: (pending: number) => void): () => void {
    this.pendingListeners.add(listener)
    return () => this.pendingListeners.delete(listener)
  }

  get<T = unknown>(path: string, query?: Record<string, unknown>, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, { ...options, query: { ...options.query, ...query } })
  }

  post<T = unknown>(path: string, data?: Record<string, unknown>, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, data })
  }

  async request<T = unknown>(method: 'GET' | 'POST', path: string, options: RequestOptions = {}): Promise<T> {
    this.setPending(+1)
    try {
      let { envelope, response } = await this.send(method, path, options)
      const retries = options.overloadRetries ?? this.overloadRetries
      for (let attempt = 0; response?.status === 503 && attempt < retries; attempt++) {
        await this.sleep(overloadPause(attempt, retryAfterOf(response), this.random()))
        ;({ envelope, response } = await this.send(method, path, options, attempt + 1)) // signed anew
      }
      if (envelope.code === 400 && /时间戳/.test(envelope.msg) && this.correctClock(response)) {
        ;({ envelope, response } = await this.send(method, path, options))
      }
      if (envelope.code === 200) {
        if (method === 'POST' && !options.silent && envelope.msg) this.notifier.success(envelope.msg)
        return envelope.data as T
      }
      const error = new ApiError(envelope, retryAfterOf(response), response?.status ?? null)
      this.report(error, options)
      throw error
    } finally {
      this.setPending(-1)
    }
  }

  /** Learn the server's clock from `Date`; true when it differs enough to be worth a retry. */
  correctClock(response: Response | null): boolean {
    const date = response?.headers.get('Date')
    const serverTime = date ? Date.parse(date) : NaN
    if (!Number.isFinite(serverTime)) return false
    const offset = serverTime - this.now()
    const changed = Math.abs(offset - this.clockOffset) > 1000
    this.clockOffset = offset
    this.lastTimestamp = 0
    return changed
  }

  /** One try of a request; `retry` > 0 for the overload retries (overloadPause). */
  private async send(method: string, path: string, options: RequestOptions, retry = 0) {
    const query = new URLSearchParams()
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null && value !== '') query.append(key, encodeValue(value))
    }
    const session = this.session
    if (!options.unsigned && session) {
      for (const [key, value] of Object.entries(this.sign(session))) query.set(key, value)
    }
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (retry > 0) headers['X-Retry-Attempt'] = String(retry)
    const init: RequestInit = { method, headers, credentials: 'same-origin' }
    if (method === 'POST') {
      const entries = Object.entries(options.data ?? {}).filter(([, value]) => value !== undefined && value !== null)
      // A file (an upload's chunk) makes the body multipart; everything else is x-www-form-urlencoded.
      const multipart = entries.some(([, value]) => value instanceof Blob)
      const body = multipart ? new FormData() : new URLSearchParams()
      for (const [key, value] of entries) {
        if (value instanceof Blob && body instanceof FormData) body.append(key, value, key)
        else body.append(key, encodeValue(value))
      }
      init.body = body
    }
    const qs = query.toString()
    let response: Response | null = null
    let envelope: Envelope
    try {
      response = await this.fetchImpl(`${this.base}${path}${qs ? `?${qs}` : ''}`, init)
      envelope = await readEnvelope(response)
    } catch {
      envelope = { code: 500, msg: '网络错误，请检查网络后重试', data: {} }
    }
    return { envelope, response }
  }

  private report(error: ApiError, options: RequestOptions): void {
    const { code } = error
    if (code === 400 || code === 306) {
      this.store.clear()
      this.notifier.signedOut(/时间戳/.test(error.message) ? `${error.message}（请校准电脑时间）` : error.message)
      return
    }
    if (options.silent || (options.form && (FIELD_CODES.has(code) || code === 401))) return
    if (error.isWechat) this.notifier.alert(`微信返回 ${code}：${error.message}`, '企业微信/微信校验未通过')
    else if (code === 302) this.notifier.warning('数据不存在或已被删除')
    else if (code === 304) this.notifier.alert(error.message, '无法删除')
    else if (code === 429) this.notifier.warning(`尝试过于频繁，请 ${error.retryAfter ?? 60} 秒后再试`)
    else if (code === 403 || FIELD_CODES.has(code) || code === 401) this.notifier.warning(error.message)
    else this.notifier.error(error.message || '服务器错误')
  }

  private setPending(delta: number): void {
    this.pending += delta
    for (const listener of this.pendingListeners) listener(this.pending)
  }

  /** Keep a new token (1.1 rotates it) or a whole new session (1.0, 5.8). */
  updateSession(patch: Partial<Session>): void {
    const current = this.session
    if (current) this.store.save({ ...current, ...patch })
  }
}

/** The response's `Retry-After` in seconds, when it gives a positive number of them. */
function retryAfterOf(response: Response | null): number | null {
  const value = Number(response?.headers.get('Retry-After'))
  return Number.isFinite(value) && value > 0 ? value : null
}

function encodeValue(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

async function readEnvelope(response: Response): Promise<Envelope> {
  const text = await response.text()
  try {
    const body = JSON.parse(text) as Envelope
    if (body && typeof body.code === 'number') return { code: body.code, msg: body.msg ?? '', data: body.data }
  } catch {
    /* not the envelope: below */
  }
  return { code: response.status >= 500 ? 500 : 404, msg: `服务器返回 HTTP ${response.status}`, data: {} }
}
