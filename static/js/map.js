/* The neighbourhood map: an enhancement over the text on the page, never the only way to an answer.
 * Config comes from the page (#portal-map-config): the areas' GeoJSON URL, and either the
 * practices' GeoJSON URL or an answer's postcode point and its practices. */
(function () {
  "use strict";

  var COLOURS = ["#005eb8", "#007f3b", "#7c2855", "#ed8b00", "#330072", "#00a499", "#d5281b", "#425563"];

  function config() {
    var node = document.getElementById("portal-map-config");
    return node ? JSON.parse(node.textContent) : {};
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error("Map data unavailable: " + response.status);
      return response.json();
    });
  }

  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  window.portalMapInit = function (map) {
    var options = config();
    var container = map.getContainer();
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", "Map of the neighbourhood areas. The same information is in the text of this page.");
    var bounds = L.latLngBounds([]);
    map.options.zoomSnap = 0.25;

    if (options.point) {
      var here = L.circleMarker(options.point, { radius: 9, color: "#212b32", weight: 3, fillColor: "#ffeb3b", fillOpacity: 1 })
        .bindTooltip(label(options.postcode), { permanent: true, direction: "right" })
        .addTo(map);
      bounds.extend(here.getLatLng());
      (options.practices || []).forEach(function (practice) {
        L.marker(practice.point, { title: practice.name, alt: practice.name })
          .bindPopup(label(practice.name + " (" + practice.distance_m + " m)"))
          .addTo(map);
        bounds.extend(practice.point);
      });
    }

    if (options.practicesUrl) {
      getJSON(options.practicesUrl).then(function (data) {
        L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var name = feature.properties.name;
            return L.marker(latlng, { title: name, alt: name });
          },
          onEachFeature: function (feature, layer) {
            var p = feature.properties;
            layer.bindPopup(label(p.name + (p.neighbourhood ? " – " + p.neighbourhood.name : "")));
          }
        }).addTo(map);
      }).catch(function () { /* The list on the page still has every practice. */ });
    }

    if (options.areasUrl) {
      getJSON(options.areasUrl).then(function (data) {
        var index = 0;
        var areas = L.geoJSON(data, {
          style: function (feature) {
            var mine = options.neighbourhood && feature.properties.slug === options.neighbourhood;
            var colour = COLOURS[index++ % COLOURS.length];
            return { color: colour, weight: mine ? 4 : 2, fillOpacity: mine ? 0.25 : 0.08, dashArray: mine ? null : "6 4" };
          },
          onEachFeature: function (feature, layer) {
            layer.bindTooltip(label(feature.properties.name), { sticky: true });
          }
        }).addTo(map);
        areas.bringToBack();
        if (!bounds.isValid()) bounds = areas.getBounds();
        map.fitBounds(bounds.isValid() ? bounds.pad(0.05) : areas.getBounds(), { animate: false });
      }).catch(function () {
        if (bounds.isValid()) map.fitBounds(bounds.pad(0.05), { animate: false });
      });
    } else if (bounds.isValid()) {
      map.fitBounds(bounds.pad(0.05), { animate: false });
    }
  };
})();
