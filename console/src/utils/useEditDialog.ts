/**
 * The add/edit dialog of a list page: open it blank or filled from a row, check the form, send it, close and
 * reload; the server's refusals land on the form's fields. `removeRow` is the delete beside it.
 */
import { reactive, ref } from 'vue'
import type { FormInstance } from 'element-plus'
import { useFormErrors } from './formErrors'

export interface EditDialogOptions<Row, Form extends object> {
  /** The form of a new row (called on each open, so arrays are fresh). */
  blank: () => Form
  /** The row's id; a new row is 0. */
  id: (row: Row) => number
  /** The form of an existing row, over `blank()`. */
  fill?: (row: Row) => Partial<Form>
  /** A check the form's rules cannot express: a message to show instead of sending. */
  check?: (form: Form) => string | undefined
  /** Sends the form: an update when `id` is not 0. */
  send: (form: Form, id: number) => Promise<unknown>
  /** After a successful send (usually the list's reload). */
  done: () => unknown
  /** The field a "name already taken" refusal belongs to. */
  uniqueField?: string
  /** The field a weak-password refusal belongs to. */
  passwordField?: string
}

export function useEditDialog<Row, Form extends object>(options: EditDialogOptions<Row, Form>) {
  const dialog = reactive({ open: false, id: 0, saving: false })
  const form = reactive(options.blank()) as Form
  const formRef = ref<FormInstance>()
  const { errors, show, clear } = useFormErrors()

  function open(row?: Row): void {
    clear()
    Object.assign(form, options.blank(), row && options.fill ? options.fill(row) : {})
    dialog.id = row ? options.id(row) : 0
    dialog.open = true
    formRef.value?.clearValidate()
  }

  async function save(): Promise<void> {
    if (formRef.value && !(await formRef.value.validate().catch(() => false))) return
    const problem = options.check?.(form)
    if (problem) {
      ElMessage.warning(problem)
      return
    }
    dialog.saving = true
    try {
      await options.send(form, dialog.id)
      dialog.open = false
      await options.done()
    } catch (error) {
      show(error, options.uniqueField, options.passwordField)
    } finally {
      dialog.saving = false
    }
  }

  return { dialog, form, formRef, errors, open, save }
}

/** Asks "删除…？" and, on yes, sends the delete and reloads; a refusal has already been shown by the client. */
export async function removeRow(question: string, send: () => Promise<unknown>, done: () => unknown): Promise<void> {
  try {
    await ElMessageBox.confirm(question, '确认删除', { type: 'warning' })
  } catch {
    return
  }
  await send().catch(() => undefined)
  await done()
}
