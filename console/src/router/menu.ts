/**
 * The side menu: groups guarded by a parent rule, pages by their rules (1.2 `login_rules`), some pages by
 * role 1 only. A role-3 user sees only what the server lets them do.
 */
export interface MenuPage {
  path: string
  title: string
  rules: string[]
  superadminOnly?: boolean
}

export interface MenuGroup {
  title: string
  rule: string
  icon: string
  pages: MenuPage[]
}

export const MENU: MenuGroup[] = [
  { title: '首页', rule: 'dashboard', icon: 'DataLine', pages: [{ path: '/dashboard', title: '数据概览', rules: ['home_page'] }] },
  {
    title: '用户管理',
    rule: 'user_manage',
    icon: 'User',
    pages: [
      { path: '/users/radar', title: '雷达用户', rules: ['user'] },
      { path: '/users/join', title: '加入申请', rules: ['user'] },
      { path: '/users/admins', title: '后台账号', rules: ['admin_userprofile'] },
    ],
  },
  {
    title: '公司管理',
    rule: 'company_manage',
    icon: 'OfficeBuilding',
    pages: [{ path: '/companies', title: '公司列表', rules: ['company'] }],
  },
  {
    title: '产品管理',
    rule: 'product_manage',
    icon: 'Goods',
    pages: [
      { path: '/products/company', title: '公司产品', rules: ['product'] },
      { path: '/products/personal', title: '个人产品', rules: ['product'] },
      { path: '/products/feedback', title: '意见反馈', rules: ['product'] },
    ],
  },
  {
    title: '官网管理',
    rule: 'website_manage',
    icon: 'Monitor',
    pages: [
      { path: '/website', title: '官网编辑', rules: ['website'] },
      { path: '/website/templates', title: '官网模板', rules: ['website_template'] },
    ],
  },
  {
    title: '插件管理',
    rule: 'plugin_manage',
    icon: 'Grid',
    pages: [
      { path: '/plugins/cards', title: '名片插件', rules: ['plugin_mingpian'] },
      { path: '/plugins/activities', title: '活动报名', rules: ['plugin_report'] },
      { path: '/plugins/goods', title: '商品展示', rules: ['plugin_goods'] },
    ],
  },
  {
    title: '文章管理',
    rule: 'article_manage',
    icon: 'Document',
    pages: [
      { path: '/articles', title: '文章列表', rules: ['article'] },
      { path: '/articles/tags', title: '文章标签', rules: ['article_tag'] },
    ],
  },
  {
    title: '话术管理',
    rule: 'speech_manage',
    icon: 'ChatDotRound',
    pages: [
      { path: '/speech/groups', title: '话术分组', rules: ['talkGroupManageShow'] },
      { path: '/speech/details', title: '话术详情', rules: ['speechDetailsManageShow'] },
    ],
  },
  {
    title: '小程序',
    rule: 'xcx_manage',
    icon: 'Cellphone',
    pages: [
      { path: '/xcx/auth', title: '小程序授权', rules: ['xcx_auth_process', 'open_weixin'] },
      { path: '/xcx/release', title: '代码发布', rules: ['xcx_app', 'dai_xcx'], superadminOnly: true },
    ],
  },
  {
    title: '公众号',
    rule: 'gzh_manage',
    icon: 'ChatLineRound',
    pages: [{ path: '/gzh/auth', title: '公众号授权', rules: ['gzh_auth_process', 'open_weixin_gongzhonghao'] }],
  },
  {
    title: '日志管理',
    rule: 'log_manage',
    icon: 'Tickets',
    pages: [{ path: '/logs/operations', title: '操作日志', rules: ['operation_log'] }],
  },
  {
    title: '系统设置',
    rule: 'permission_manage',
    icon: 'Setting',
    pages: [
      { path: '/system/rules', title: '权限条目', rules: ['access_rules'], superadminOnly: true },
      { path: '/system/roles', title: '角色管理', rules: ['admin_role'], superadminOnly: true },
    ],
  },
]

export function visibleMenu(can: (...rules: string[]) => boolean, superadmin: boolean): MenuGroup[] {
  return MENU.filter((group) => can(group.rule))
    .map((group) => ({
      ...group,
      pages: group.pages.filter((page) => can(...page.rules) && (!page.superadminOnly || superadmin)),
    }))
    .filter((group) => group.pages.length > 0)
}

export function pageFor(path: string): MenuPage | undefined {
  return MENU.flatMap((g) => g.pages).find((p) => p.path === path)
}
