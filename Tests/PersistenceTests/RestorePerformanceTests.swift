import Actors
import Foundation
import Testing

@testable import Persistence

/// Measures a full-size snapshot (1000 rooms × 1000 messages of ~70 characters). Not a unit test:
/// run it in release with `CHAT_PERF=1 swift test -c release --filter RestorePerformanceTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CHAT_PERF"] == "1"))
struct RestorePerformanceTests {
    @Test func millionMessages() throws {
        let state = ChatFixtures.bulkState(rooms: 1000, messages: 1000)
        let clock = ContinuousClock()
        // The first decode runs on cold memory, as a real restore does.
        for level: Int32 in [6, 1] {
            var body: [UInt8] = []
            let encode = try clock.measure { body = try EngineStateCodec.encode(state) }
            var compressed: [UInt8] = []
            let compress = try clock.measure { compressed = try Zlib.compress(body, level: level) }
            var inflated: [UInt8] = []
            let inflate = try clock.measure { inflated = try Zlib.decompress(compressed, expectedSize: body.count, limit: 1 << 31) }
            var decoded = EngineState()
            let cpuBefore = Self.processCPUSeconds()
            let decode = try clock.measure { decoded = try EngineStateCodec.decode(inflated) }
            let decodeCPU = Self.processCPUSeconds() - cpuBefore
            #expect(decoded.rooms.count == 1000)
            #expect(decoded.rooms.reduce(0) { $0 + $1.ring.count } == 1_000_000)
            print("""
                PERF level \(level): body \(body.count / 1_000_000) MB, compressed \(compressed.count / 1_000_000) MB; \
                encode \(encode), compress \(compress); inflate \(inflate), decode \(decode) (CPU \(decodeCPU) s over all threads)
                """)
        }
    }

    /// CPU time of the whole process: wall time on this shared machine depends on its load.
    static func processCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
