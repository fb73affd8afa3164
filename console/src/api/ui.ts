/** Connects the API client to the person: Element Plus messages, the sign-in redirect, the loading bar. */
import { ref } from 'vue'
import type { Router } from 'vue-router'
import { api } from './index'

/** Requests in flight (App.vue draws a thin bar while > 0). */
export const pending = ref(0)

export function installUi(router: Router): void {
  api.onPending((n) => (pending.value = n))
  api.notifier = {
    success: (msg) => ElMessage.success(msg),
    warning: (msg) => ElMessage.warning(msg),
    error: (msg) => ElMessage.error(msg),
    alert: (msg, title) => void ElMessageBox.alert(msg, title, { type: 'warning' }).catch(() => {}),
    signedOut: (msg) => {
      const current = router.currentRoute.value
      if (current.name !== 'login') {
        void router.replace({ name: 'login', query: { redirect: current.fullPath } })
      }
      ElMessage.warning(msg || '请重新登录')
    },
  }
}
