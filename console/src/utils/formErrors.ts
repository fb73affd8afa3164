/** Server refusals shown on a form's fields (`el-form-item :error="errors.x"`). */
import { reactive } from 'vue'
import { ApiError } from '@/api'

export function useFormErrors() {
  const errors = reactive<Record<string, string>>({})

  function clear(): void {
    for (const key of Object.keys(errors)) delete errors[key]
  }

  /**
   * Put `error` on the fields it names; true when it named one. Otherwise (a business rule, a 302…)
   * a toast tells the person, since a form request does not toast field codes itself.
   */
  function show(error: unknown, uniqueField?: string, passwordField?: string): boolean {
    clear()
    if (!(error instanceof ApiError)) return false
    const fields = error.fieldErrors(uniqueField, passwordField)
    Object.assign(errors, fields)
    if (Object.keys(fields).length === 0 && [300, 301, 303, 305, 401].includes(error.code)) {
      ElMessage.warning(error.message)
    }
    return Object.keys(fields).length > 0
  }

  return { errors, clear, show }
}
