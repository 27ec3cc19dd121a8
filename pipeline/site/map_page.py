"""The map page: the tile-grid map layers that `pipeline.tilemap` draws, each tile linked to its profile.

The map itself (layout, colours, markup) belongs to `pipeline.tilemap`; this page only places its
layers in the site's frame. Without that module the site has no map page."""

from __future__ import annotations

import importlib
import importlib.util

from markupsafe import Markup

from .i18n import say
from .layout import Page
from .lookups import Data, profile_href


def tilemap_module():
    """`pipeline.tilemap` if this build has it, else None."""
    if importlib.util.find_spec("pipeline.tilemap") is None:
        return None
    return importlib.import_module("pipeline.tilemap")


def map_pages(data: Data, lang: str) -> list[Page]:
    tilemap = tilemap_module()
    if tilemap is None:
        return []

    def href_for(region_code: str) -> str:
        """A tile's target: the region's profile, relative to the map page (at the language root)."""
        return profile_href("region", region_code)

    layers = [Markup(tilemap.render_tile_map(layer, lang, href_for)) for layer in tilemap.map_layers(data.tables)]
    title = say("chart.map", lang)
    return [Page("map.html", "map.html", title, say("map.description", lang, dataset=data.descriptor["name"]),
                 {"layers": layers})]
