/** The signed-in admin (1.0 login `data`), kept in sessionStorage, or localStorage when 记住我 is ticked. */

export interface Session {
  token: string
  user_id: number
  role_id: number
  role_name: string
  company_id: number
  company_name: string
  avatar?: string
  username?: string
  login_user?: string
  is_reset_password?: boolean
  last_login_date?: string | null
}

export const SESSION_KEY = 'zgld.session'
/** The platform operator's own session while they act as a company's admin (5.8). */
export const ORIGIN_KEY = 'zgld.origin'

function parse(text: string | null): Session | null {
  if (!text) return null
  try {
    const value = JSON.parse(text) as Session
    return value && typeof value.token === 'string' && Number.isInteger(Number(value.user_id)) ? value : null
  } catch {
    return null
  }
}

export function loadSession(key = SESSION_KEY): Session | null {
  return parse(sessionStorage.getItem(key)) ?? parse(localStorage.getItem(key))
}

/** Where the session lives now: localStorage when it was remembered. */
export function isRemembered(key = SESSION_KEY): boolean {
  return sessionStorage.getItem(key) === null && localStorage.getItem(key) !== null
}

export function saveSession(session: Session, remember = isRemembered(), key = SESSION_KEY): void {
  clearSession(key)
  ;(remember ? localStorage : sessionStorage).setItem(key, JSON.stringify(session))
}

export function clearSession(key = SESSION_KEY): void {
  sessionStorage.removeItem(key)
  localStorage.removeItem(key)
}
