import ArgumentParser

/// `chat-bench`: load/latency measurement and concurrency stress for chat-engine, over the wire protocol.
@main
struct ChatBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat-bench",
        abstract: "Measure chat-engine's latency and throughput, and stress it with invariant checks.",
        discussion: """
            Both subcommands are ordinary MQTT clients of the broker the engine uses, so they measure what \
            users see. Start a broker and an engine with the rate limit off first, e.g.:
              mosquitto -p 18830 &
              chat-engine serve --dev --rate-limit 0 --mqtt-port 18830 --data-dir $(mktemp -d) &
              chat-bench load --mqtt-port 18830 --mode engine
              chat-bench stress --mqtt-port 18830 --duration 20
            (`stress --engine-cmd "…"` starts the engine itself.)
            """,
        subcommands: [
            LoadCommand.self, StressCommand.self, SeedSnapshotCommand.self, SnapshotBenchCommand.self, FillCommand.self,
            RestoreBenchCommand.self, RestoreProfileCommand.self, ServeEngineCommand.self, SyncBenchCommand.self,
        ]
    )
}

/// Where the broker is and how the bench signs its users' tokens.
struct BrokerOptions: ParsableArguments {
    @Option(help: "Broker host.")
    var mqttHost = "127.0.0.1"

    @Option(help: "Broker port.")
    var mqttPort = 1883

    @Option(help: "Broker user name for every session the bench opens (brokers that require a login).")
    var mqttUsername: String?

    @Option(help: "Broker password, with --mqtt-username.")
    var mqttPassword: String?

    @Option(help: "The engine's JWT secret (default: the --dev secret).")
    var jwtSecret = "chat-engine-development-secret-do-not-use-in-production"
}
