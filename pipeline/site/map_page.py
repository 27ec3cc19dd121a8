"""The map page: the tile-grid map layers that `pipeline.site.tilemap` draws, each tile linked to its profile.

The map itself (layout, colours, markup) belongs to `pipeline.site.tilemap`; this page only places its
layers in the site's frame."""

from __future__ import annotations

from markupsafe import Markup

from . import tilemap
from .i18n import say
from .layout import Page
from .lookups import Data, profile_href


def map_pages(data: Data, lang: str) -> list[Page]:
    def href_for(region_code: str) -> str:
        """A tile's target: the region's profile, relative to the map page (at the language root)."""
        return profile_href("region", region_code)

    if "_map_layers" not in data.__dict__:
        data._map_layers = tilemap.map_layers(data.tables)  # the same layers for both languages
    layers = [Markup(tilemap.render_tile_map(layer, lang, href_for)) for layer in data._map_layers]
    title = say("chart.map", lang)
    return [Page("map.html", "map.html", title, say("map.description", lang, dataset=data.descriptor["name"]),
                 {"layers": layers})]
