/* The admin's maps (django-leaflet's widget): Leaflet works out where its marker images are
 * from its stylesheet's file name, which the hashed static names break, and then asks for
 * marker-icon.png beside the page. This script, loaded after leaflet.js, gives it each
 * image's own address, which the widget puts on this script's tag (neighbourhoods/admin/
 * widgets.py), as map.js does for the public maps. */
(function () {
  "use strict";
  var tag = document.currentScript;
  if (!tag || !window.L) return;
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: tag.dataset.iconUrl,
    iconRetinaUrl: tag.dataset.iconRetinaUrl,
    shadowUrl: tag.dataset.shadowUrl,
  });
})();
