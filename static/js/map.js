/* The neighbourhood map: an enhancement over the text on the page, never the only way to an answer.
 * Config comes from the page (#portal-map-config): the address of the areas' GeoJSON (the
 * pages' own versioned file, never the API), and the practices and points the page shows. */
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
  //
  // Practices at one address would hide each other under one marker: they share a marker,
  // which carries all their numbers ("2, 6") and names, and its box links each of them.
  function atOnePlace(practices) {
    var groups = [];
    var byPlace = {};
    practices.forEach(function (practice) {
      var place = practice.point[0].toFixed(5) + "," + practice.point[1].toFixed(5);
      if (!byPlace[place]) groups.push(byPlace[place] = []);
      byPlace[place].push(practice);
    });
    return groups;
  }

  function numbered(practice) {
    return practice.number ? practice.number + ". " + practice.name : practice.name;
  }

  // A practice only some people can register with says so wherever it is shown, as the list
  // on the page does: "For people who are homeless only."
  function described(practice) {
    return practice.forWhom ? numbered(practice) + " – " + practice.forWhom : numbered(practice);
  }

  function markerOptions(group) {
    var linked = group.some(function (practice) { return !!practice.url; });
    var options = {
      title: group.map(described).join("; "),
      alt: group.map(function (practice) { return practice.name; }).join(" and "),
      interactive: linked,
      keyboard: false
    };
    if (group[0].number) {
      // Numbered as in the table of practices on the page.
      var badge = document.createElement("span");
      badge.textContent = group.map(function (practice) { return practice.number; }).join(", ");
      options.icon = group.length > 1
        ? L.divIcon({ className: "portal-map-marker portal-map-marker--shared", html: badge, iconSize: null, iconAnchor: [0, 0] })
        : L.divIcon({ className: "portal-map-marker", html: badge, iconSize: [28, 28], iconAnchor: [14, 14] });
    }
    return options;
  }

  function practiceLink(practice) {
    var link = document.createElement("a");
    link.href = practice.url;
    link.textContent = practice.name;
    return link;
  }

  // The practice's link (or name), and who it is for when only some people can register.
  function practiceEntry(into, practice) {
    into.appendChild(practice.url ? practiceLink(practice) : document.createTextNode(practice.name));
    if (practice.forWhom) {
      var note = document.createElement("strong");
      note.textContent = practice.forWhom;
      into.appendChild(document.createElement("br"));
      into.appendChild(note);
    }
    return into;
  }

  function practiceBox(group) {
    var linked = group.filter(function (practice) { return !!practice.url; });
    if (linked.length === 1 && group.length === 1) {
      return linked[0].forWhom ? practiceEntry(document.createElement("div"), linked[0]) : practiceLink(linked[0]);
    }
    var box = document.createElement("div");
    var intro = document.createElement("p");
    intro.className = "nhsuk-body-s nhsuk-u-margin-bottom-1";
    intro.textContent = group.length + " practices at this address:";
    var list = document.createElement("ul");
    list.className = "nhsuk-list nhsuk-u-margin-bottom-0";
    group.forEach(function (practice) {
      var item = document.createElement("li");
      if (practice.number) item.appendChild(document.createTextNode(practice.number + ". "));
      list.appendChild(practiceEntry(item, practice));
    });
    box.appendChild(intro);
    box.appendChild(list);
    return box;
  }

  function practiceMarker(group) {
    var marker = L.marker(group[0].point, markerOptions(group));
    if (group.some(function (practice) { return !!practice.url; })) {
      marker.bindPopup(practiceBox(group), { closeButton: true, autoPan: true });
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

  // A map without its areas must not look like a map of nothing: say so, in words.
  function sayAreasDidNotLoad() {
    var status = document.getElementById("portal-map-status");
    if (!status || status.firstChild) return;
    var message = document.createElement("p");
    message.className = "nhsuk-body-s portal-map-error";
    message.textContent = "The map could not load the neighbourhood areas, so it does not show them. " +
      "Everything the map would show is in the text of this page. Reloading the page may bring them back.";
    status.appendChild(message);
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
    atOnePlace(options.practices || []).forEach(function (group) {
      practiceMarker(group).addTo(map);
      // The map of all areas is fitted to its areas; an answer to its point and practices.
      if (!options.focusArea && !options.areas) bounds.extend(group[0].point);
    });

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
              // Named on the map, with the number its entry has in the key and the list. The
              // label is part of its area: a click or tap on it goes where the area goes, not
              // to whatever lies under it. Like the area, it takes no keyboard focus.
              var labelMarker = L.marker(area.label, { icon: areaLabel(area.number, feature.properties.name), pane: "portal-labels", interactive: !!feature.properties.url, keyboard: false }).addTo(map);
              if (feature.properties.url) {
                labelMarker.on("click", function () { window.location.assign(feature.properties.url); });
              }
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
        // An area's tooltip makes Chromium put its shape in the tab order, unnamed and with
        // no visible focus. The list of areas on the page is the keyboard's way to them.
        areas.eachLayer(function (layer) {
          var shape = layer.getElement && layer.getElement();
          if (shape) shape.setAttribute("tabindex", "-1");
        });
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
        sayAreasDidNotLoad();
        if (bounds.isValid() && !options.centre) map.fitBounds(bounds.pad(0.05), { animate: false });
      });
    } else if (bounds.isValid() && !options.centre) {
      map.fitBounds(bounds.pad(0.05), { animate: false });
    }
  };
})();
