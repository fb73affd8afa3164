/** Who is signed in, what the server lets them do (1.2 rules), and the platform operator's identity switch. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { A, api, ApiError, type Session } from '@/api'
import { clearSession, loadSession, ORIGIN_KEY, saveSession } from '@/api/session'

export const useAuth = defineStore('auth', () => {
  const session = ref<Session | null>(loadSession())
  const origin = ref<Session | null>(loadSession(ORIGIN_KEY))
  const rules = ref<Set<string> | null>(null)

  const signedIn = computed(() => session.value !== null)
  const isSuperadmin = computed(() => session.value?.role_id === 1)
  const mustChangePassword = computed(() => session.value?.is_reset_password === false)

  function refresh(): void {
    session.value = loadSession()
    origin.value = loadSession(ORIGIN_KEY)
    if (!session.value) rules.value = null
  }

  async function login(username: string, password: string, remember: boolean): Promise<Session> {
    const data = await api.post<Session>(
      `${A}/login`,
      { username, password },
      { unsigned: true, form: true, silent: true },
    )
    clearSession(ORIGIN_KEY)
    saveSession({ ...data, login_user: username }, remember)
    rules.value = null
    refresh()
    return data
  }

  async function loadRules(): Promise<Set<string>> {
    if (rules.value) return rules.value
    const data = await api.get<{ rules_list: string[] }>(`${A}/login_rules`)
    rules.value = new Set(data.rules_list)
    return rules.value
  }

  function can(...paths: string[]): boolean {
    return !!rules.value && paths.every((p) => rules.value!.has(p))
  }

  async function changePassword(password1: string, password2: string): Promise<void> {
    const data = await api.post<{ token: string }>(`${A}/modify_password`, { password1, password2 }, { form: true })
    api.updateSession({ token: data.token, is_reset_password: true })
    refresh()
  }

  /** Sign out: ask the server to rotate the token (when it offers that), and forget the session either way. */
  async function logout(): Promise<void> {
    if (session.value) {
      await api.post(`${A}/logout`, {}, { silent: true }).catch(() => undefined)
    }
    clearSession()
    clearSession(ORIGIN_KEY)
    rules.value = null
    refresh()
  }

  /** 5.8: the platform operator acts as one of a company's admins; their own session is kept aside. */
  async function switchTo(adminId: number): Promise<Session> {
    const data = await api.post<Session>(`${A}/admin_userprofile/switch_admin_user/${adminId}`, {}, { silent: true })
    if (!origin.value && session.value) saveSession(session.value, false, ORIGIN_KEY)
    saveSession(data)
    rules.value = null
    refresh()
    return data
  }

  function switchBack(): void {
    const own = loadSession(ORIGIN_KEY)
    if (!own) return
    clearSession(ORIGIN_KEY)
    saveSession(own)
    rules.value = null
    refresh()
  }

  return {
    session,
    origin,
    rules,
    signedIn,
    isSuperadmin,
    mustChangePassword,
    refresh,
    login,
    loadRules,
    can,
    changePassword,
    logout,
    switchTo,
    switchBack,
  }
})

export { ApiError }
