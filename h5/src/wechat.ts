/**
 * WeChat's JS-SDK on the H5 pages: loaded only inside WeChat (its UA says MicroMessenger), configured with
 * 16.3's signature of this page's URL; the share menu (friends, moments) carries 16.2's next-level link.
 * A test may provide `window.wx` itself (the sandbox has no JS-SDK): then nothing is loaded.
 */
import { api, G } from './api'

const JSSDK = 'https://res.wx.qq.com/open/js/jweixin-1.6.0.js'

export interface ShareContent {
  title: string
  desc: string
  link: string
  imgUrl: string
}

interface WxShareOptions extends ShareContent {
  success?: () => void
}

interface Wx {
  config(options: Record<string, unknown>): void
  ready(callback: () => void): void
  error(callback: (err: unknown) => void): void
  updateAppMessageShareData?(options: WxShareOptions): void
  updateTimelineShareData?(options: WxShareOptions): void
  onMenuShareAppMessage?(options: WxShareOptions): void
  onMenuShareTimeline?(options: WxShareOptions): void
}

declare global {
  interface Window {
    wx?: Wx
  }
}

export function inWechat(): boolean {
  return /MicroMessenger/i.test(navigator.userAgent) || window.wx !== undefined
}

function loadSdk(): Promise<Wx> {
  if (window.wx) return Promise.resolve(window.wx)
  return new Promise((resolve, reject) => {
    const script = document.createElement('script')
    script.src = JSSDK
    script.onload = () => (window.wx ? resolve(window.wx) : reject(new Error('jweixin')))
    script.onerror = () => reject(new Error('jweixin'))
    document.head.appendChild(script)
  })
}

/**
 * Configure the share menu: `content` for both friends and moments; `shared(1|2)` after a successful share
 * (1 朋友, 2 朋友圈). False outside WeChat or when the SDK could not be configured.
 */
export async function setUpSharing(
  companyId: string,
  content: ShareContent,
  shared: (forwardType: 1 | 2) => void,
): Promise<boolean> {
  if (!inWechat()) return false
  const url = window.location.href.split('#')[0]
  const [wx, sign] = await Promise.all([
    loadSdk(),
    api.get<{ appid: string; timestamp: number; nonceStr: string; signature: string }>(
      `${G}/work_gongzhonghao_auth/gongzhonghao_share_sign`,
      { company_id: companyId, url },
      { silent: true },
    ),
  ])
  return new Promise((resolve) => {
    wx.config({
      debug: false,
      appId: sign.appid,
      timestamp: sign.timestamp,
      nonceStr: sign.nonceStr,
      signature: sign.signature,
      jsApiList: ['updateAppMessageShareData', 'updateTimelineShareData', 'onMenuShareAppMessage', 'onMenuShareTimeline'],
    })
    wx.error(() => resolve(false))
    wx.ready(() => {
      const friend = { ...content, success: () => shared(1) }
      const timeline = { ...content, success: () => shared(2) }
      wx.updateAppMessageShareData?.(friend)
      wx.updateTimelineShareData?.(timeline)
      // The older API still reports a completed share (the newer one only that the menu was set).
      wx.onMenuShareAppMessage?.(friend)
      wx.onMenuShareTimeline?.(timeline)
      resolve(true)
    })
  })
}
