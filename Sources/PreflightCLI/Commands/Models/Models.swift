import ArgumentParser

struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, search, show, import and learn model input requirements.",
        discussion: """
        The catalog has layers, each over the one before, limit by limit: the bundled fal models; what \
        was fetched from fal's own metadata (`models refresh`, or an id looked up on first use: its \
        OpenAPI schema with x-fal limits, dated, in the state folder; prices from fal's pricing API); \
        limits learned from rejections against the fal base URL in use; and your own catalog files in \
        $XDG_CONFIG_HOME/preflight/models/ (or $PREFLIGHT_HOME/config/models/). Each limit shows where it \
        came from and when. Offline (or with PREFLIGHT_OFFLINE=1) the layers on disk are used as they are.
        """,
        subcommands: [ModelsList.self, ModelsSearch.self, ModelsShow.self, ModelsImport.self, ModelsRefresh.self, ModelsLearned.self,
                      ModelsLearn.self, ModelsForget.self],
        defaultSubcommand: ModelsList.self
    )
}
