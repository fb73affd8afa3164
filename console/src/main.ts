import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { installUi } from './api/ui'
import './styles.css'

// Message/MessageBox are called from scripts, so their styles are loaded here once.
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import 'element-plus/theme-chalk/el-overlay.css'
import 'element-plus/theme-chalk/el-loading.css'

const app = createApp(App)
app.use(createPinia())
app.use(router)
installUi(router)
app.mount('#app')
