import ArgumentParser

/// The `chat-engine` executable: `serve` (default), `token`, `snapshot inspect|verify`.
@main
struct ChatEngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat-engine",
        abstract: "A real-time chat backend behind a mosquitto broker.",
        subcommands: [ServeCommand.self, TokenCommand.self, SnapshotCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
