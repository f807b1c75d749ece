import EngineTesting
import Engine

/// The broker mode of `TestEngine`: users are MQTT clients of the harness's mosquitto.
struct BrokerEngine: TestEngine {
    let harness: EngineHarness

    func connectUser(_ id: String, name: String?, admin: Bool) async throws -> any TestUser {
        try await ChatClient(userId: id, port: harness.port, name: name, admin: admin)
    }
}

/// Runs `body` against a fresh engine in `mode`, with `configure` applied to the test defaults: in
/// memory (no broker), or through a private mosquitto. Stops what it started afterwards.
func withTestEngine(
    _ mode: EngineMode, _ configure: (inout EngineConfiguration) -> Void = { _ in },
    _ body: (any TestEngine) async throws -> Void
) async throws {
    switch mode {
    case .inMemory:
        try await withInMemoryEngine(configure) { try await body($0) }
    case .broker:
        try await withEngine(configure) { try await body(BrokerEngine(harness: $0)) }
    }
}
