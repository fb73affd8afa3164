import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import Vant from 'vant'
import 'vant/lib/index.css'
import App from './App.vue'

const router = createRouter({
  history: createWebHistory('/h5/'),
  routes: [
    { path: '/scan_code_to_add_user', component: () => import('./views/ScanJoin.vue'), meta: { title: '申请加入' } },
    { path: '/yulanwenzhang/:id(\\d+)', component: () => import('./views/Article.vue'), meta: { title: '文章' } },
    { path: '/activity/:id(\\d+)', component: () => import('./views/Activity.vue'), meta: { title: '活动报名' } },
    { path: '/card/:uid(\\d+)', component: () => import('./views/Card.vue'), meta: { title: '名片' } },
    { path: '/:rest(.*)*', component: () => import('./views/NotFound.vue'), meta: { title: '诸葛雷达' } },
  ],
})
router.afterEach((to) => {
  document.title = String(to.meta.title ?? '诸葛雷达')
})

createApp(App).use(router).use(Vant).mount('#app')
