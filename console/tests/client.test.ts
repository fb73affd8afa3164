import { beforeEach, describe, expect, it, vi } from 'vitest'
import { md5 } from 'js-md5'
import {
  ApiClient,
  ApiError,
  heartbeatPause,
  OVERLOAD_MAX_PAUSE,
  overloadPause,
  type Notifier,
} from '../src/api/client'
import { loadSession, saveSession, SESSION_KEY } from '../src/api/session'

const session = {
  token: 'c4ca4238a0b923820dcc509a6f75849b',
  user_id: 7,
  role_id: 2,
  role_name: '管理员',
  company_id: 3,
  company_name: '演示公司1',
}

type Reply = { body: unknown; status?: number; headers?: Record<string, string> }

function fakeFetch(...replies: Reply[]) {
  const calls: Array<{ url: URL; init: RequestInit }> = []
  const fn = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url: new URL(url, 'http://console.test'), init })
    const reply = replies.length > 1 ? replies.shift()! : replies[0]
    return new Response(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body), {
      status: reply.status ?? 200,
      headers: reply.headers,
    })
  })
  return { fn: fn as unknown as typeof fetch, calls }
}

function recorder(): Notifier & { log: string[] } {
  const log: string[] = []
  return {
    log,
    success: (m) => log.push(`success:${m}`),
    warning: (m) => log.push(`warning:${m}`),
    error: (m) => log.push(`error:${m}`),
    alert: (m, t) => log.push(`alert:${t}:${m}`),
    signedOut: (m) => log.push(`signedOut:${m}`),
  }
}

beforeEach(() => {
  sessionStorage.clear()
  localStorage.clear()
})

describe('signing', () => {
  it('adds rand_str = md5(timestamp + token), the timestamp and user_id to every request', async () => {
    saveSession(session)
    const { fn, calls } = fakeFetch({ body: { code: 200, msg: '', data: { ok: 1 } } })
    const client = new ApiClient({ fetch: fn, now: () => 1_700_000_000_000 })
    expect(await client.get('/zhugeleida/admin/login_rules', { length: 10 })).toEqual({ ok: 1 })
    const q = calls[0].url.searchParams
    expect(q.get('timestamp')).toBe('1700000000000')
    expect(q.get('user_id')).toBe('7')
    expect(q.get('rand_str')).toBe(md5('1700000000000' + session.token))
    expect(q.get('length')).toBe('10')
  })

  it('never gives two requests the same timestamp, even within one millisecond', () => {
    const client = new ApiClient({ now: () => 5000 })
    const stamps = Array.from({ length: 5 }, () => client.sign(session).timestamp)
    expect(stamps).toEqual(['5000', '5001', '5002', '5003', '5004'])
    const signatures = Array.from({ length: 5 }, () => client.sign(session).rand_str)
    expect(new Set(signatures).size).toBe(5)
  })

  it('does not sign the login request', async () => {
    saveSession(session)
    const { fn, calls } = fakeFetch({ body: { code: 200, msg: '登录成功', data: session } })
    await new ApiClient({ fetch: fn }).post('/zhugeleida/admin/login', { username: 'a', password: 'b' }, { unsigned: true })
    expect(calls[0].url.searchParams.has('rand_str')).toBe(false)
  })

  it('posts a form, JSON-encoding list and object fields', async () => {
    saveSession(session)
    const { fn, calls } = fakeFetch({ body: { code: 200, msg: '添加成功', data: {} } })
    await new ApiClient({ fetch: fn }).post('/x', { name: '角色', rules_list: [1, 2], skip: undefined })
    const body = calls[0].init.body as URLSearchParams
    expect(calls[0].init.method).toBe('POST')
    expect(body.get('name')).toBe('角色')
    expect(body.get('rules_list')).toBe('[1,2]')
    expect(body.has('skip')).toBe(false)
  })
})

describe('session', () => {
  it('is kept in sessionStorage, or localStorage when remembered', () => {
    saveSession(session)
    expect(sessionStorage.getItem(SESSION_KEY)).not.toBeNull()
    expect(localStorage.getItem(SESSION_KEY)).toBeNull()
    saveSession(session, true)
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull()
    expect(loadSession()?.user_id).toBe(7)
  })

  it('keeps a rotated token where the session already lives', () => {
    saveSession(session, true)
    const client = new ApiClient()
    client.updateSession({ token: 'new-token' })
    expect(JSON.parse(localStorage.getItem(SESSION_KEY)!).token).toBe('new-token')
  })
})

describe('envelope codes', () => {
  async function refused(reply: Reply, options = {}) {
    saveSession(session)
    const notifier = recorder()
    const { fn } = fakeFetch(reply)
    const client = new ApiClient({ fetch: fn, notifier })
    const error = await client.post('/x', {}, options).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    return { error: error as ApiError, log: notifier.log }
  }

  it('200 on a write shows its msg; a read stays silent', async () => {
    saveSession(session)
    const notifier = recorder()
    const { fn } = fakeFetch({ body: { code: 200, msg: '修改成功', data: {} } })
    const client = new ApiClient({ fetch: fn, notifier })
    await client.post('/x')
    await client.get('/x')
    expect(notifier.log).toEqual(['success:修改成功'])
  })

  it('400 clears the session and sends the person to sign in', async () => {
    const { error, log } = await refused({ body: { code: 400, msg: '认证失败，请重新登录', data: {} } })
    expect(error.code).toBe(400)
    expect(log).toEqual(['signedOut:认证失败，请重新登录'])
    expect(loadSession()).toBeNull()
  })

  it('306 (account disabled) also signs out', async () => {
    const { log } = await refused({ body: { code: 306, msg: '账户未启用', data: {} } })
    expect(log).toEqual(['signedOut:账户未启用'])
  })

  it('403 is a "no permission" warning and keeps the session', async () => {
    const { log } = await refused({ body: { code: 403, msg: '当前角色没有此功能的权限', data: {} } })
    expect(log).toEqual(['warning:当前角色没有此功能的权限'])
    expect(loadSession()).not.toBeNull()
  })

  it('301/303 map to the fields named by data; the first gets msg (it starts with the label)', async () => {
    const { error, log } = await refused(
      { body: { code: 303, msg: '公司名称 长度应为 1-128', data: { name: ['长度应为 1-128'], remarks: ['太长'] } } },
      { form: true },
    )
    expect(log).toEqual([])
    expect(error.fieldErrors()).toEqual({ name: '公司名称 长度应为 1-128', remarks: '太长' })
  })

  it('nested 303 paths mark the cell', () => {
    const error = new ApiError({ code: 303, msg: '规格[1].价格 必须 ≥ 0', data: { goods_data: { 1: { price: ['x'] } } } })
    expect(error.fieldErrors()).toEqual({ 'goods_data[1].price': '规格[1].价格 必须 ≥ 0' })
  })

  it('300 marks the unique field, 305 the password field', () => {
    expect(new ApiError({ code: 300, msg: '用户名已存在', data: {} }).fieldErrors('login_user')).toEqual({
      login_user: '用户名已存在',
    })
    expect(new ApiError({ code: 305, msg: '密码太弱', data: {} }).fieldErrors(undefined, 'password1')).toEqual({
      password1: '密码太弱',
    })
  })

  it('a field refusal outside a form is a warning toast', async () => {
    const { log } = await refused({ body: { code: 303, msg: '通讯录未对接', data: {} } })
    expect(log).toEqual(['warning:通讯录未对接'])
  })

  it('429 says when to retry, from Retry-After', async () => {
    const { error, log } = await refused({
      body: { code: 429, msg: '尝试次数过多，请稍后再试', data: {} },
      status: 429,
      headers: { 'Retry-After': '42' },
    })
    expect(error.retryAfter).toBe(42)
    expect(log).toEqual(['warning:尝试过于频繁，请 42 秒后再试'])
  })

  it('302 is "gone", 304 an alert, 500 an error, a WeChat errcode an alert naming it', async () => {
    expect((await refused({ body: { code: 302, msg: '公司不存在', data: {} } })).log).toEqual([
      'warning:数据不存在或已被删除',
    ])
    expect((await refused({ body: { code: 304, msg: '含有子级数据', data: {} } })).log).toEqual([
      'alert:无法删除:含有子级数据',
    ])
    expect((await refused({ body: { code: 500, msg: '服务器错误', data: {} }, status: 500 })).log).toEqual([
      'error:服务器错误',
    ])
    const wechat = await refused({ body: { code: 40013, msg: 'invalid corpid', data: {} } })
    expect(wechat.error.isWechat).toBe(true)
    expect(wechat.log).toEqual(['alert:企业微信/微信校验未通过:微信返回 40013：invalid corpid'])
  })

  it('a 404 without the envelope (an endpoint that does not exist) is an ApiError, never a crash', async () => {
    const { error } = await refused({ body: '<html>Not Found</html>', status: 404 }, { silent: true })
    expect(error.code).toBe(404)
  })

  it('silent requests report nothing', async () => {
    const { log } = await refused({ body: { code: 403, msg: 'x', data: {} } }, { silent: true })
    expect(log).toEqual([])
  })
})

describe('clock correction', () => {
  it('a refused timestamp sets the offset from the Date header and retries once, signed anew', async () => {
    saveSession(session)
    const local = Date.parse('2026-01-01T00:00:00Z')
    const server = 'Thu, 01 Jan 2026 01:00:00 GMT' // the server is an hour ahead
    const { fn, calls } = fakeFetch(
      { body: { code: 400, msg: '请求时间戳已过期，请校准本机时间后重试', data: {} }, headers: { Date: server } },
      { body: { code: 200, msg: '', data: { fine: true } } },
    )
    const notifier = recorder()
    const client = new ApiClient({ fetch: fn, notifier, now: () => local })
    expect(await client.get('/x')).toEqual({ fine: true })
    expect(client.clockOffset).toBe(3_600_000)
    expect(calls).toHaveLength(2)
    expect(calls[1].url.searchParams.get('timestamp')).toBe(String(local + 3_600_000))
    expect(notifier.log).toEqual([])
    expect(loadSession()).not.toBeNull()
  })

  it('does not loop when the clock was already right', async () => {
    saveSession(session)
    const now = Date.parse('2026-01-01T00:00:00Z')
    const { fn, calls } = fakeFetch({
      body: { code: 400, msg: '请求时间戳已过期，请校准本机时间后重试', data: {} },
      headers: { Date: new Date(now).toUTCString() },
    })
    const notifier = recorder()
    const error = await new ApiClient({ fetch: fn, notifier, now: () => now }).get('/x').catch((e) => e)
    expect(calls).toHaveLength(1)
    expect((error as ApiError).code).toBe(400)
    expect(notifier.log[0]).toContain('请校准电脑时间')
  })
})

describe('overload (HTTP 503)', () => {
  const overloaded = { body: '<html>503</html>', status: 503 }

  it('backs off and sends the request again, signed anew, until it is served', async () => {
    saveSession(session)
    const { fn, calls } = fakeFetch(overloaded, overloaded, { body: { code: 200, msg: '', data: { ok: 1 } } })
    const pauses: number[] = []
    const sleep = async (ms: number) => void pauses.push(ms)
    const client = new ApiClient({ fetch: fn, overloadRetries: 5, sleep, random: () => 1 })
    expect(await client.get('/x')).toEqual({ ok: 1 })
    expect(pauses).toEqual([500, 1000])
    expect(new Set(calls.map((c) => c.url.searchParams.get('timestamp'))).size).toBe(3)
    // the retries say so: the proxy bounds the share of the app they may take (docs/h5.md "Overload")
    const retried = calls.map((c) => (c.init.headers as Record<string, string>)['X-Retry-Attempt'] ?? null)
    expect(retried).toEqual([null, '1', '2'])
  })

  it('waits at least what Retry-After says, spreads the pauses at random, gives up after its retries', async () => {
    saveSession(session)
    const { fn, calls } = fakeFetch({ ...overloaded, headers: { 'Retry-After': '3' } })
    const pauses: number[] = []
    const sleep = async (ms: number) => void pauses.push(ms)
    const notifier = recorder()
    const client = new ApiClient({ fetch: fn, notifier, overloadRetries: 2, sleep, random: () => 0 })
    const error = await client.get('/x').catch((e) => e)
    expect((error as ApiError).code).toBe(500)
    expect(calls).toHaveLength(3)
    expect(pauses).toEqual([1500, 1500])
    expect(notifier.log).toEqual(['error:服务器返回 HTTP 503'])
  })

  it('never retries without overloadRetries (the console), nor another refusal', async () => {
    saveSession(session)
    const sleep = vi.fn(async () => {})
    const once = fakeFetch(overloaded)
    await new ApiClient({ fetch: once.fn, sleep }).get('/x').catch(() => {})
    const refused = fakeFetch({ body: { code: 500, msg: '服务器错误', data: {} }, status: 500 })
    await new ApiClient({ fetch: refused.fn, overloadRetries: 3, sleep }).get('/x').catch(() => {})
    expect([once.calls.length, refused.calls.length, sleep.mock.calls.length]).toEqual([1, 1, 0])
  })

  it('a request may ask for no retry (a heartbeat: the next one is its retry)', async () => {
    saveSession(session)
    const sleep = vi.fn(async () => {})
    const { fn, calls } = fakeFetch(overloaded)
    const client = new ApiClient({ fetch: fn, overloadRetries: 5, sleep })
    await client.get('/x', {}, { silent: true, overloadRetries: 0 }).catch(() => {})
    expect([calls.length, sleep.mock.calls.length]).toEqual([1, 0])
  })

  it('tells a request the server did not serve from one it refused', async () => {
    saveSession(session)
    const client = new ApiClient({ fetch: fakeFetch(overloaded).fn })
    const shed = (await client.get('/x', {}, { silent: true }).catch((e) => e)) as ApiError
    expect([shed.status, shed.unserved]).toEqual([503, true])
    const refused = fakeFetch({ body: { code: 302, msg: '不存在', data: {} } })
    const error = (await new ApiClient({ fetch: refused.fn }).get('/x', {}, { silent: true }).catch((e) => e)) as ApiError
    expect([error.status, error.unserved]).toEqual([200, false])
    const down = vi.fn(async () => Promise.reject(new TypeError('Failed to fetch')))
    const lost = (await new ApiClient({ fetch: down }).get('/x', {}, { silent: true }).catch((e) => e)) as ApiError
    expect([lost.status, lost.unserved]).toEqual([null, true])
  })

  it('stretches the heartbeat while the server sheds it, up to three intervals, and shrinks it back', () => {
    const pauses = [false, false, false, true, true, true].reduce(
      (seen, served) => [...seen, heartbeatPause(seen[seen.length - 1], 5, served)],
      [5],
    )
    expect(pauses).toEqual([5, 10, 15, 15, 7.5, 5, 5])
  })

  it('waits as long as a busy server asks, and no longer once it asks no more', () => {
    expect(heartbeatPause(5, 5, true, 10)).toBe(10)
    expect(heartbeatPause(10, 5, true, 5)).toBe(5)
    expect(heartbeatPause(10, 5, false)).toBe(15) // shed: still at most three of the page's own intervals
  })

  it('grows the pause beyond Retry-After, up to a cap', () => {
    expect([0, 1, 2, 3].map((attempt) => overloadPause(attempt, 1, 1))).toEqual([1000, 1000, 2000, 4000])
    expect(overloadPause(10, null, 1)).toBe(OVERLOAD_MAX_PAUSE)
  })
})

describe('loading state', () => {
  it('counts requests in flight', async () => {
    saveSession(session)
    const seen: number[] = []
    const { fn } = fakeFetch({ body: { code: 200, msg: '', data: {} } })
    const client = new ApiClient({ fetch: fn })
    client.onPending((n) => seen.push(n))
    await Promise.all([client.get('/a'), client.get('/b')])
    expect(seen).toEqual([1, 2, 1, 0])
  })
})

describe('a pluggable session store (the H5 pages keep the customer there)', () => {
  it('signs with the store’s identity, never the console’s session, and clears only the store on 400', async () => {
    saveSession(session)
    let kept: { token: string; user_id: number } | null = { token: 'customer-token', user_id: 42 }
    const store = {
      load: () => kept as never,
      save: (value: { token: string; user_id: number }) => {
        kept = value
      },
      clear: () => {
        kept = null
      },
    }
    const { fn, calls } = fakeFetch(
      { body: { code: 200, msg: '', data: {} } },
      { body: { code: 400, msg: '签名错误', data: {} } },
    )
    const client = new ApiClient({ fetch: fn, store, now: () => 1_700_000_000_000 })
    await client.get('/zhugeleida/gongzhonghao/article/myarticle/1')
    const q = calls[0].url.searchParams
    expect(q.get('user_id')).toBe('42')
    expect(q.get('rand_str')).toBe(md5(q.get('timestamp') + 'customer-token'))
    await expect(client.get('/zhugeleida/gongzhonghao/article/myarticle/1')).rejects.toBeInstanceOf(ApiError)
    expect(kept).toBeNull()
    expect(loadSession()?.user_id).toBe(7) // the console's own session is untouched
  })
})
