/**
 * 3.1 chunked image upload: 1 MiB chunks to `img_upload`, then `img_merge`, which answers the stored
 * picture's `statics/…` path. A merge refused for a missing chunk (303 「缺少第N个分片」) resends that chunk once.
 */
import { api, ApiError } from '@/api'

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp']
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024
export const MAX_PIXELS = 40_000_000
export const CHUNK_BYTES = 1024 * 1024
const P = '/zhugeleida/public'

let lastId = 0
/** The upload's id (`timestamp` of its chunks): `Date.now()`, never the same twice in this tab. */
function uploadId(): string {
  lastId = Math.max(Date.now(), lastId + 1)
  return String(lastId)
}

/** Why the browser will not send `file` (null when it may). */
export async function imageProblem(file: File): Promise<string | null> {
  if (!IMAGE_TYPES.includes(file.type)) return `${file.name}：只能上传 jpg、png、gif、webp 图片`
  if (file.size > MAX_IMAGE_BYTES) return `${file.name}：图片不能超过 10 MB`
  const pixels = await new Promise<number>((resolve) => {
    const url = URL.createObjectURL(file)
    const img = new Image()
    img.onload = () => {
      resolve(img.naturalWidth * img.naturalHeight)
      URL.revokeObjectURL(url)
    }
    img.onerror = () => {
      resolve(-1)
      URL.revokeObjectURL(url)
    }
    img.src = url
  })
  if (pixels < 0) return `${file.name}：不是可识别的图片`
  if (pixels > MAX_PIXELS) return `${file.name}：图片尺寸过大（宽×高不能超过 4000 万像素）`
  return null
}

/** Upload `file` for `source` (`img_source`); `onProgress` gets 0–100 as chunks land. */
export async function uploadImage(file: Blob & { name?: string }, source: string, onProgress?: (percent: number) => void) {
  const id = uploadId()
  const name = (file.name || 'image').slice(-255)
  const count = Math.max(1, Math.ceil(file.size / CHUNK_BYTES))
  const send = (chunk: number) =>
    api.post(
      `${P}/img_upload`,
      {
        img_name: name,
        img_data: file.slice(chunk * CHUNK_BYTES, (chunk + 1) * CHUNK_BYTES),
        chunk,
        timestamp: id,
        img_source: source,
      },
      { silent: true },
    )
  for (let chunk = 0; chunk < count; chunk++) {
    await send(chunk)
    onProgress?.(Math.round(((chunk + 1) / count) * 95))
  }
  const merge = () =>
    api.post<{ ret_data: { picture_url: string } }>(
      `${P}/img_merge`,
      { img_name: name, timestamp: id, chunk_num: count, img_source: source },
      { silent: true },
    )
  let data
  try {
    data = await merge()
  } catch (error) {
    const missing = error instanceof ApiError && error.code === 303 ? /缺少第(\d+)个分片/.exec(error.message) : null
    if (!missing) throw error
    await send(Number(missing[1]))
    data = await merge()
  }
  onProgress?.(100)
  return data.ret_data.picture_url
}
