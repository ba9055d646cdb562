// Start Swagger UI on /api/docs (app/templates/swagger_ui.html); a file, since the CSP
// allows no inline script.
;(function () {
  var container = document.getElementById('swagger-ui-container')
  var config = { url: container.dataset.specUrl, dom_id: '#swagger-ui-container' }
  var overrides = JSON.parse(container.dataset.config || '{}')
  for (var key in overrides) config[key] = overrides[key]
  window.ui = window.SwaggerUIBundle(config)
})()
