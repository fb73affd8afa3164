/**
 * Signing the customer in on a page the official account's OAuth leads to (16.1): with WeChat's `code` in the
 * address, trade it for `{user_id, token}` (or follow the consent URL WeChat asks for); without one, use the
 * stored session, else ask `entry` for the page's OAuth URL and go there.
 */
import { api, dropFromUrl, G, hasCustomer, pageQuery, saveCustomer, useAccount } from './api'

export type SignIn = 'ok' | 'redirected'

export async function signInCustomer(
  page: Record<string, unknown>,
  entry?: () => Promise<string>,
): Promise<SignIn> {
  const query = pageQuery()
  useAccount(query.company_id, query.appid)
  if (query.code) {
    const answer = await api.get<{ is_verify: boolean; authorize_url?: string; user_id?: number; token?: string }>(
      `${G}/work_gongzhonghao_auth`,
      { ...page, code: query.code, state: query.state, appid: query.appid },
      { unsigned: true, silent: true },
    )
    if (!answer.is_verify && answer.authorize_url) {
      window.location.replace(answer.authorize_url)
      return 'redirected'
    }
    saveCustomer(answer.user_id as number, answer.token as string)
    dropFromUrl('code', 'state', 'appid')
    return 'ok'
  }
  if (hasCustomer()) return 'ok'
  if (entry) {
    window.location.replace(await entry())
    return 'redirected'
  }
  throw new Error('请从微信中分享的链接打开')
}
