import BenchCore
import Foundation
import Wire

/// One stress run: the engine (if the tool owns it), users, chaos, then the audit.
final class StressRun: Sendable {
    let options: StressCommand
    let enabled: [StressOp]
    let tag = String(UInt32.random(in: 0x1000...0xFFFF), radix: 16)
    let signer: TokenSigner
    let world = StressWorld()
    let engine: EngineProcess?

    init(command: StressCommand) throws {
        options = command
        enabled = try StressOp.parse(command.ops)
        signer = try TokenSigner(secret: command.broker.jwtSecret)
        engine = command.engineCmd.map { EngineProcess(command: $0, logPath: command.engineLog) }
    }

    func token(for user: String) -> String {
        signer.sign(TokenClaims(sub: user, exp: Date().timeIntervalSince1970 + 3600, name: user))
    }

    func run() async throws -> StressReport {
        let o = options
        if let engine { try await engine.start() }
        let ids = (0..<o.users).map { "st\(tag)-u\($0)" }
        let users = try ids.map { try StressUser(
            id: $0, token: token(for: $0), broker: o.broker, world: world, peers: ids, retries: o.chaos ? 3 : 0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for user in users { group.addTask { try await user.session.connect() } }
            try await group.waitForAll()
        }
        let started = Date()
        let deadline = BenchClock.micros() + UInt64(o.duration * 1_000_000)
        let chaos = o.chaos ? Task { await self.chaosLoop(until: deadline) } : nil
        await withTaskGroup(of: Void.self) { group in
            for (index, user) in users.enumerated() {
                let seed = o.seed &* 1_000_003 &+ UInt64(index)
                group.addTask { await user.run(ops: self.enabled, seed: seed, deadline: deadline, maxOps: o.maxOps, maxRooms: o.maxRooms) }
            }
        }
        await chaos?.value
        let elapsed = Date().timeIntervalSince(started)
        // Late replies (a request sent just before a restart) and the last fan-outs.
        try? await Task.sleep(for: .seconds(2))
        let audit = StressAudit(run: self, users: users)
        let report = await audit.report(elapsed: elapsed)
        for user in users { user.session.disconnect() }
        await engine?.stop()
        return report
    }

    /// Kills and restarts the engine at random moments until `deadline`.
    private func chaosLoop(until deadline: UInt64) async {
        guard let engine else { return }
        var rng = SplitMix64(seed: options.seed ^ 0xC4A05)
        while true {
            let wait = Double.random(in: 0.5...1.5, using: &rng) * options.chaosInterval
            await BenchClock.sleep(until: min(deadline, BenchClock.micros() + UInt64(wait * 1_000_000)))
            guard BenchClock.micros() + 1_000_000 < deadline else { return }
            engine.kill9()
            do { try await engine.start() } catch { world.violation("chaos restart: \(error)") }
        }
    }
}
