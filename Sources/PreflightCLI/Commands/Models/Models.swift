import ArgumentParser

struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, import and learn model input requirements.",
        discussion: """
        The catalog has layers: the bundled fal models, then what `models refresh` fetched from fal \
        (dated, in the state folder), then your own catalog files in $XDG_CONFIG_HOME/preflight/models/ \
        (or $PREFLIGHT_HOME/config/models/), then limits learned from rejections. A later layer wins, \
        limit by limit; each limit shows where it came from and when.
        """,
        subcommands: [ModelsList.self, ModelsShow.self, ModelsImport.self, ModelsRefresh.self, ModelsLearned.self, ModelsLearn.self],
        defaultSubcommand: ModelsList.self
    )
}
