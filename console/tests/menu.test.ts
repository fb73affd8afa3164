import { describe, expect, it } from 'vitest'
import { visibleMenu } from '../src/router/menu'

function can(rules: string[]) {
  const granted = new Set(rules)
  return (...paths: string[]) => paths.every((p) => granted.has(p))
}

const titles = (rules: string[], superadmin = false) =>
  visibleMenu(can(rules), superadmin).flatMap((g) => g.pages.map((p) => p.title))

describe('the side menu from 1.2 login_rules', () => {
  it('shows a page only when its group rule and its own rules are granted', () => {
    expect(titles(['dashboard', 'home_page'])).toEqual(['数据概览'])
    expect(titles(['home_page'])).toEqual([]) // no parent rule: no group
    expect(titles(['dashboard', 'home_page', 'user_manage', 'user'])).toEqual(['数据概览', '雷达用户', '加入申请'])
  })

  it('keeps role-1-only pages for role 1 even when a role holds their rule', () => {
    const rules = ['permission_manage', 'admin_role']
    expect(titles(rules, false)).toEqual([])
    expect(titles(rules, true)).toEqual(['角色管理'])
  })

  it('drops a group left without pages', () => {
    expect(visibleMenu(can(['user_manage']), false)).toEqual([])
  })
})
