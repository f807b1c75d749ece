import Foundation
import Logging
import ServiceLifecycle

/// Delivers the push queue to the webhook: up to `concurrency` POSTs at once, one per user at a time (a
/// user's pushes arrive in order), failures retried with backoff by the queue.
///
/// As a service it stops after the lanes (nothing queues a push after them) and before the snapshotter,
/// so the shutdown snapshot holds every push still waiting and the journal is still open for the ones
/// that finish. At shutdown it starts nothing new and lets the POSTs in flight end (each within the
/// timeout); what they leave undelivered waits in the snapshot for the next start.
struct PushSender: Service {
    let queue: PushQueue
    let client: WebhookClient
    let concurrency: Int
    let logger: Logger
    let clock: @Sendable () -> Double
    /// How long an idle worker sleeps before it looks at the queue again: the most a new push waits.
    static let tick: Duration = .milliseconds(20)

    init(queue: PushQueue, client: WebhookClient, concurrency: Int, logger: Logger, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.queue = queue
        self.client = client
        self.concurrency = concurrency
        self.logger = logger
        self.clock = clock
    }

    /// `concurrency` workers, each taking the next due push as soon as its last POST ended (so a busy
    /// queue drains without waiting for ticks), and sleeping a tick when nothing is due.
    func run() async {
        await withDiscardingTaskGroup { group in
            for _ in 0..<concurrency {
                group.addTask { await work() }
            }
        }
        let (count, _) = queue.size
        logger.info("push sender stopped", metadata: ["pending": "\(count)"])
    }

    private func work() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            guard let push = queue.due(now: clock(), max: 1).first else {
                try? await Task.sleep(for: Self.tick)
                continue
            }
            let outcome = await client.post(push)
            if outcome != .delivered {
                logger.debug("push not delivered", metadata: [
                    "push_id": "\(push.id)", "user_id": "\(push.userId)", "outcome": "\(outcome)",
                ])
            }
            if let dropped = queue.finish(push, outcome, now: clock()) {
                // A rejection usually means a gateway or secret misconfigured; expiry, a gateway down for the window.
                logger.warning("push dropped", metadata: [
                    "push_id": "\(push.id)", "user_id": "\(push.userId)", "reason": "\(dropped.rawValue)", "outcome": "\(outcome)",
                ])
            }
        }
    }
}
