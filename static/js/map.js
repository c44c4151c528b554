/* The neighbourhood map: an enhancement over the text on the page, never the only way to an answer.
 * Config comes from the page (#portal-map-config): the areas' GeoJSON URL, and either the
 * practices' GeoJSON URL or an answer's postcode point and its practices. */
(function () {
  "use strict";

  // Each area's colour comes from portal.css (.portal-area-1 to -8), so the map, its key and
  // the list beside it share one palette. This is only what Leaflet draws before the CSS.
  var PALETTE_SIZE = 8;

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
  // readers, and take no keyboard focus; the list on the page, which links every practice,
  // is where a practice is chosen. A mouse or a finger may also open a marker's box, with
  // the same link (2.5.8's "equivalent" exception).
  function markerOptions(name, number, url) {
    var options = { title: name, alt: name, interactive: !!url, keyboard: false };
    if (number) {
      // Numbered as in the table of practices on the page.
      var badge = document.createElement("span");
      badge.textContent = String(number);
      options.icon = L.divIcon({ className: "portal-map-marker", html: badge, iconSize: [28, 28], iconAnchor: [14, 14] });
      options.title = number + ". " + name;
    }
    return options;
  }

  function practiceMarker(point, name, number, url) {
    var marker = L.marker(point, markerOptions(name, number, url));
    if (url) {
      var link = document.createElement("a");
      link.href = url;
      link.textContent = name;
      marker.bindPopup(link, { closeButton: true, autoPan: true });
    }
    return marker;
  }

  function areaLabel(number, name) {
    var box = document.createElement("span");
    var badge = document.createElement("span");
    badge.className = "portal-area-badge portal-area-" + (((number - 1) % PALETTE_SIZE) + 1);
    badge.textContent = String(number);
    var text = document.createElement("span");
    text.className = "portal-area-label__name";
    text.textContent = " " + name;
    box.appendChild(badge);
    box.appendChild(text);
    return L.divIcon({ className: "portal-area-label", html: box, iconSize: null });
  }

  // On a narrow map the names would cover each other: the labels show the numbers, as the
  // key beside the map does, until the resident zooms in. A wide map always shows names.
  var ROOMY_WIDTH = 600;
  function showNamesWhenRoomy(map, fittedZoom) {
    function update() {
      var roomy = map.getSize().x >= ROOMY_WIDTH || map.getZoom() >= fittedZoom + 1;
      map.getContainer().classList.toggle("portal-map--numbers-only", !roomy);
    }
    map.on("zoomend resize", update);
    update();
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

    if (options.centre) map.setView(options.centre, options.zoom || 15, { animate: false });

    if (options.point) {
      var here = L.circleMarker(options.point, { radius: 9, color: "#212b32", weight: 3, fillColor: "#ffeb3b", fillOpacity: 1, interactive: false })
        .bindTooltip(label(options.postcode), { permanent: true, direction: "right" })
        .addTo(map);
      bounds.extend(here.getLatLng());
    }
    (options.practices || []).forEach(function (practice) {
      practiceMarker(practice.point, practice.name, practice.number, practice.url).addTo(map);
      if (!options.focusArea) bounds.extend(practice.point);
    });

    if (options.practicesUrl) {
      getJSON(options.practicesUrl).then(function (data) {
        L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var code = feature.properties.ods_code;
            var url = options.practiceUrl && code ? options.practiceUrl.replace(options.practiceUrlCode, code) : null;
            return practiceMarker(latlng, feature.properties.name, null, url);
          }
        }).addTo(map);
      }).catch(function () { /* The list on the page still has every practice. */ });
    }

    if (options.areasUrl) {
      getJSON(options.areasUrl).then(function (data) {
        var index = 0;
        var named = options.areas || {};  // slug -> {number, label}: the map of all areas
        if (options.areas) {
          // Above the practices' markers, so no marker hides a name; clicks pass through.
          map.createPane("portal-labels").style.zIndex = 650;
        }
        var areas = L.geoJSON(data, {
          style: function (feature) {
            var slug = feature.properties.slug;
            var mine = options.neighbourhood && slug === options.neighbourhood;
            var number = named[slug] ? named[slug].number : ++index;
            return {
              className: "portal-area-" + (((number - 1) % PALETTE_SIZE) + 1),
              color: "#425563", weight: mine ? 4 : 2, fillOpacity: mine ? 0.25 : 0.08, dashArray: mine || options.areas ? null : "6 4"
            };
          },
          onEachFeature: function (feature, layer) {
            var area = named[feature.properties.slug];
            var own = options.focusArea && feature.properties.slug === options.neighbourhood;
            if (area) {
              // Named on the map, with the number its entry has in the key and the list.
              L.marker(area.label, { icon: areaLabel(area.number, feature.properties.name), pane: "portal-labels", interactive: false, keyboard: false }).addTo(map);
            } else {
              layer.bindTooltip(label(feature.properties.name), { sticky: true });
            }
            // A pointer's way to the area's page. Keyboard and screen reader users have the
            // links in the list beside the map: the areas are not made into fake links.
            if (!own && feature.properties.url) {
              layer.on("click", function () { window.location.assign(feature.properties.url); });
            }
          }
        }).addTo(map);
        areas.bringToBack();
        if (options.focusArea) {
          areas.eachLayer(function (layer) {
            if (layer.feature.properties.slug === options.neighbourhood) bounds.extend(layer.getBounds());
          });
        }
        if (options.centre) return;  // the practice page: its own point, close up
        if (!bounds.isValid()) bounds = areas.getBounds();
        else if (isSinglePoint(bounds)) bounds.extend(areas.getBounds());
        map.fitBounds(bounds.isValid() ? bounds.pad(0.05) : areas.getBounds(), { animate: false });
        if (options.areas) showNamesWhenRoomy(map, map.getZoom());
      }).catch(function () {
        if (bounds.isValid() && !options.centre) map.fitBounds(bounds.pad(0.05), { animate: false });
      });
    } else if (bounds.isValid() && !options.centre) {
      map.fitBounds(bounds.pad(0.05), { animate: false });
    }
  };
})();
