import Actors
import Foundation
import Logging
import Persistence
import ServiceLifecycle

/// Writes snapshots: every `snapshotInterval` seconds, after `snapshotChanges` changes, and once more at
/// shutdown. Capturing copies each actor's state (cheap, copy-on-write); encoding, compressing and writing
/// happen on the store's own thread, so message handling never waits for a snapshot.
///
/// As a service it stops after the lanes and the timers, so the shutdown snapshot holds every change,
/// and closes the journal behind it.
struct Snapshotter: Service {
    let core: EngineCore
    let log: JournalChangeLog
    let logger: Logger
    let metrics = EngineMetrics.current

    func run() async {
        await cancelWhenGracefulShutdown { await writeWhenDue() }
        await write(reason: "shutdown")
        do {
            try log.store.close()
        } catch {
            logger.error("closing the journal failed", metadata: ["error": "\(error)"])
        }
    }

    /// Loops until cancelled, writing a snapshot whenever one is due.
    func writeWhenDue() async {
        let configuration = core.services.configuration
        var lastWrite = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(200)) } catch { return }
            let changes = log.changesSinceSnapshot.load(ordering: .relaxed)
            let dueByTime = ContinuousClock.now - lastWrite >= .milliseconds(Int(configuration.snapshotInterval * 1000))
            guard changes > 0 && (dueByTime || changes >= configuration.snapshotChanges) else { continue }
            await write(reason: dueByTime ? "interval" : "changes")
            lastWrite = ContinuousClock.now
        }
    }

    /// Writes one snapshot now; failures are logged, the journal still holds every change.
    func write(reason: String) async {
        let changes = log.changesSinceSnapshot.exchange(0, ordering: .relaxed)
        do {
            let info = try await log.store.writeSnapshot { await capture() }
            logger.info("snapshot written", metadata: [
                "reason": "\(reason)", "path": "\(info.path)", "bytes": "\(info.fileSize)", "body_bytes": "\(info.bodySize)",
                "covered_lsn": "\(info.coveredLSN)", "changes": "\(changes)",
                "encode_ms": "\(info.encodeDuration.milliseconds)", "compress_ms": "\(info.compressDuration.milliseconds)",
                "write_ms": "\(info.writeDuration.milliseconds)",
            ])
            metrics.snapshotWritten(bytes: info.fileSize, duration: info.encodeDuration + info.compressDuration + info.writeDuration)
            collectFileGarbage()
        } catch {
            log.changesSinceSnapshot.add(changes, ordering: .relaxed)
            logger.error("snapshot failed; the journal keeps every change", metadata: ["error": "\(error)"])
        }
    }

    /// A value copy of everything the engine keeps.
    func capture() async -> EngineState {
        let services = core.services
        var rooms: [RoomState] = []
        for room in services.registry.all { rooms.append(await room.snapshot()) }
        let now = services.now()
        return EngineState(
            rooms: rooms,
            globalBans: services.globalBans.withLock { $0 },
            replies: core.processor.replies.snapshot(now: now),
            lastSeen: services.presence.all.mapValues(\.lastSeen).filter { $0.value > 0 },
            files: core.files.all,
            blocks: services.blocks.all,
            pushDevices: services.push.devices.all,
            pendingPushes: services.push.pending)
    }

    /// Drops files no stored message refers to any more (after a grace period) and their blobs.
    func collectFileGarbage() {
        Task {
            var referenced = Set<String>()
            for room in core.services.registry.all { referenced.formUnion(await room.referencedFileIds()) }
            let removed = core.files.collectGarbage(referenced: referenced, now: core.services.now())
            if !removed.isEmpty { logger.info("removed unreferenced files", metadata: ["count": "\(removed.count)"]) }
        }
    }
}

extension Duration {
    /// Whole milliseconds, for logs.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
