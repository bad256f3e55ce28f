import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { SearchQuery, SearchResults } from "../Search.js"
import { ViewerContext } from "./Authentication.js"

export class SearchApi extends HttpApiGroup.make("search")
  .add(
    HttpApiEndpoint.get("search", "/search")
      .setUrlParams(SearchQuery)
      .addSuccess(SearchResults)
      .annotate(OpenApi.Summary, "Search courses and lectures")
      .annotate(
        OpenApi.Description,
        "Full-text search over course titles, short titles, organizers, topics and " +
          "descriptions, and lecture titles, speakers, comments and chapters. Words are " +
          "matched with German stemming (`ubung` finds `Übungen`) and, as a fallback, as " +
          "unaccented prefixes. A title hit ranks above a description hit. Unlisted and hidden " +
          "courses and their lectures are left out for viewers."
      )
  )
  .middleware(ViewerContext) {}
