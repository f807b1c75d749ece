import Logging
import ServiceLifecycle

/// Runs `services` in a service group, waits until `probe` listens, runs `body`, then shuts the group
/// down gracefully — also when `body` throws, so a failing test never leaves a server bound.
func whileServing(
    _ services: [any Service], probe: HTTPProbe, logger: Logger, _ body: () async throws -> Void
) async throws {
    let group = ServiceGroup(configuration: .init(services: services, logger: logger))
    let task = Task { try await group.run() }
    do {
        try await probe.waitUntilListening()
        try await body()
    } catch {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        throw error
    }
    await group.triggerGracefulShutdown()
    try await task.value
}
