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

  // Practices sit close together, some in one building, so their markers cannot be
  // separate touch targets of 24 px (WCAG 2.5.8). They are pictures, named for screen
  // readers; the list on the page is where a practice is chosen.
  function markerOptions(name, number) {
    var options = { title: name, alt: name, interactive: false, keyboard: false };
    if (number) {
      // Numbered as in the table of practices on the page.
      var badge = document.createElement("span");
      badge.textContent = String(number);
      options.icon = L.divIcon({ className: "portal-map-marker", html: badge, iconSize: [28, 28], iconAnchor: [14, 14] });
      options.title = number + ". " + name;
    }
    return options;
  }

  // A lone point (a postcode outside the area, with no practices) would be shown at the
  // closest zoom: show it with the areas around it instead.
  function isSinglePoint(bounds) {
    return bounds.isValid() && bounds.getNorthEast().equals(bounds.getSouthWest());
  }

  window.portalMapInit = function (map) {
    var options = config();
    var icons = document.getElementById("portal-map-icons");
    if (icons) {
      L.Icon.Default.imagePath = "";
      L.Icon.Default.mergeOptions(JSON.parse(icons.textContent));
    }
    var container = map.getContainer();
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", "Map of the neighbourhood areas. The same information is in the text of this page.");
    var bounds = L.latLngBounds([]);
    map.options.zoomSnap = 0.25;

    if (options.point) {
      var here = L.circleMarker(options.point, { radius: 9, color: "#212b32", weight: 3, fillColor: "#ffeb3b", fillOpacity: 1, interactive: false })
        .bindTooltip(label(options.postcode), { permanent: true, direction: "right" })
        .addTo(map);
      bounds.extend(here.getLatLng());
    }
    (options.practices || []).forEach(function (practice) {
      L.marker(practice.point, markerOptions(practice.name, practice.number)).addTo(map);
      if (!options.focusArea) bounds.extend(practice.point);
    });

    if (options.practicesUrl) {
      getJSON(options.practicesUrl).then(function (data) {
        L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            return L.marker(latlng, markerOptions(feature.properties.name));
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
        if (options.focusArea) {
          areas.eachLayer(function (layer) {
            if (layer.feature.properties.slug === options.neighbourhood) bounds.extend(layer.getBounds());
          });
        }
        if (!bounds.isValid()) bounds = areas.getBounds();
        else if (isSinglePoint(bounds)) bounds.extend(areas.getBounds());
        map.fitBounds(bounds.isValid() ? bounds.pad(0.05) : areas.getBounds(), { animate: false });
      }).catch(function () {
        if (bounds.isValid()) map.fitBounds(bounds.pad(0.05), { animate: false });
      });
    } else if (bounds.isValid()) {
      map.fitBounds(bounds.pad(0.05), { animate: false });
    }
  };
})();
