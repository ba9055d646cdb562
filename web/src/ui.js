// Vant's function-style APIs (toast, dialogs, image preview) with only their own CSS.
export { showToast, showSuccessToast, showFailToast, showLoadingToast, closeToast } from 'vant'
export { showDialog, showConfirmDialog } from 'vant'
export { showImagePreview } from 'vant'
import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/image-preview/style'
