import { createRouter, createWebHistory, type LocationQuery, type RouteRecordRaw } from 'vue-router'
import { useAuth } from '@/stores/auth'
import { MENU, visibleMenu } from './menu'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    title?: string
    productType?: number
    /** The menu page whose rules guard this one (an editor under its list). */
    menuPath?: string
    authKind?: 'xcx' | 'gzh'
  }
}

// Every page is its own chunk: the sign-in page does not load the dashboard's charts.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true, title: '登录' } },
  {
    path: '/',
    component: () => import('@/layout/MainLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/views/NotFoundView.vue') }, // the guard redirects
      { path: 'dashboard', name: 'dashboard', component: () => import('@/views/DashboardView.vue'), meta: { title: '数据概览' } },
      { path: 'users/radar', name: 'radar-users', component: () => import('@/views/RadarUsersView.vue'), meta: { title: '雷达用户' } },
      { path: 'users/join', name: 'join-requests', component: () => import('@/views/JoinRequestsView.vue'), meta: { title: '加入申请' } },
      { path: 'users/admins', name: 'admins', component: () => import('@/views/AdminUsersView.vue'), meta: { title: '后台账号' } },
      { path: 'companies', name: 'companies', component: () => import('@/views/CompaniesView.vue'), meta: { title: '公司列表' } },
      { path: 'system/rules', name: 'access-rules', component: () => import('@/views/AccessRulesView.vue'), meta: { title: '权限条目' } },
      { path: 'system/roles', name: 'roles', component: () => import('@/views/RolesView.vue'), meta: { title: '角色管理' } },
      { path: 'products/company', name: 'products-company', component: () => import('@/views/ProductsView.vue'), meta: { title: '公司产品', productType: 1 } },
      { path: 'products/personal', name: 'products-personal', component: () => import('@/views/ProductsView.vue'), meta: { title: '个人产品', productType: 2 } },
      { path: 'products/:type(company|personal)/:id(\\d+)', name: 'product-edit', component: () => import('@/views/ProductEditView.vue'), meta: { title: '产品编辑', menuPath: '/products/company' } },
      { path: 'products/feedback', name: 'feedback', component: () => import('@/views/FeedbackView.vue'), meta: { title: '意见反馈' } },
      { path: 'articles', name: 'articles', component: () => import('@/views/ArticlesView.vue'), meta: { title: '文章列表' } },
      { path: 'articles/:id(\\d+)', name: 'article-edit', component: () => import('@/views/ArticleEditView.vue'), meta: { title: '文章编辑', menuPath: '/articles' } },
      { path: 'articles/tags', name: 'article-tags', component: () => import('@/views/ArticleTagsView.vue'), meta: { title: '文章标签' } },
      { path: 'website', name: 'website', component: () => import('@/views/WebsiteView.vue'), meta: { title: '官网编辑' } },
      { path: 'website/templates', name: 'website-templates', component: () => import('@/views/WebsiteTemplatesView.vue'), meta: { title: '官网模板' } },
      { path: 'plugins/cards', name: 'plugin-cards', component: () => import('@/views/PluginCardsView.vue'), meta: { title: '名片插件' } },
      { path: 'plugins/activities', name: 'plugin-activities', component: () => import('@/views/PluginActivitiesView.vue'), meta: { title: '活动报名' } },
      { path: 'plugins/goods', name: 'plugin-goods', component: () => import('@/views/PluginGoodsView.vue'), meta: { title: '商品展示' } },
      { path: 'speech/groups', name: 'speech-groups', component: () => import('@/views/SpeechGroupsView.vue'), meta: { title: '话术分组' } },
      { path: 'speech/details', name: 'speech-details', component: () => import('@/views/SpeechDetailsView.vue'), meta: { title: '话术详情' } },
      { path: 'xcx/auth', name: 'xcx-auth', component: () => import('@/views/AuthWizardView.vue'), meta: { title: '小程序授权', authKind: 'xcx' } },
      { path: 'xcx/release', name: 'xcx-release', component: () => import('@/views/XcxReleaseView.vue'), meta: { title: '代码发布' } },
      { path: 'gzh/auth', name: 'gzh-auth', component: () => import('@/views/AuthWizardView.vue'), meta: { title: '公众号授权', authKind: 'gzh' } },
      { path: 'logs/operations', name: 'operation-log', component: () => import('@/views/OperationLogView.vue'), meta: { title: '操作日志' } },
      { path: 'account/password', name: 'password', component: () => import('@/views/PasswordView.vue'), meta: { title: '修改密码' } },
      { path: '403', name: 'forbidden', component: () => import('@/views/ForbiddenView.vue'), meta: { title: '没有权限' } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { title: '页面不存在' } },
    ],
  },
]

export const router = createRouter({ history: createWebHistory('/console/'), routes })

/** The first page the menu offers (the dashboard for everyone the server lets in). */
function firstPage(): string {
  const auth = useAuth()
  const menu = visibleMenu(auth.can, auth.isSuperadmin)
  return menu[0]?.pages[0]?.path ?? '/account/password'
}

/** The page's rules as the menu knows them; pages outside the menu (password, 403) need none. */
function allowed(path: string): boolean {
  const auth = useAuth()
  for (const group of MENU) {
    const page = group.pages.find((p) => p.path === path)
    if (page) return auth.can(group.rule, ...page.rules) && (!page.superadminOnly || auth.isSuperadmin)
  }
  return true
}

/**
 * Back from WeChat's grant page: the callback sent this window to the console with the outcome in the query
 * (docs/console.md). Say how it went and open the authorization page of that kind (role 1: that company).
 */
function grantOutcome(query: LocationQuery) {
  const ok = query.authorization === 'ok'
  const kind = query.kind === 'gzh' ? 'gzh' : 'xcx'
  if (ok) ElMessage.success(`授权成功：${query.name || query.appid}`)
  else ElMessageBox.alert(`授权未完成：${query.msg ?? ''}${query.code ? `（${query.code}）` : ''}`, '授权失败', { type: 'error' })
  const company = useAuth().isSuperadmin && query.company_id ? { company_id: String(query.company_id) } : undefined
  return { path: `/${kind}/auth`, query: company }
}

router.beforeEach(async (to) => {
  const auth = useAuth()
  auth.refresh()
  if (to.meta.public) return true
  if (!auth.signedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (auth.mustChangePassword && to.name !== 'password') return { name: 'password' }
  if (auth.mustChangePassword) return true
  try {
    await auth.loadRules()
  } catch {
    return auth.signedIn ? { name: 'forbidden' } : { name: 'login', query: { redirect: to.fullPath } }
  }
  if (to.name === 'home' && typeof to.query.authorization === 'string') return grantOutcome(to.query)
  if (to.name === 'home') return firstPage()
  return allowed(to.meta.menuPath ?? to.path) ? true : { name: 'forbidden', query: { from: to.fullPath } }
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 诸葛雷达 运营后台` : '诸葛雷达 运营后台'
})
