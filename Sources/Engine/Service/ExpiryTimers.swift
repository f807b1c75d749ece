import Actors
import ServiceLifecycle

/// The presence, typing and upload expiry timers as a service: stopped at shutdown after the final
/// snapshot, so none fires into a closing engine, and before the outbound connection closes.
struct ExpiryTimers: Service {
    let scheduler: ExpiryScheduler

    func run() async {
        try? await gracefulShutdown()
        scheduler.stop()
    }
}
