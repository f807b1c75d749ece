import ServiceLifecycle

/// The lanes as a service: they run every admitted request, and at shutdown, once no transport takes
/// new requests, finish those already queued before the services behind them (the final snapshot,
/// the timers, the outbound connection) stop.
struct RequestLanes: Service {
    let dispatcher: Dispatcher<RequestProcessor.Work>
    let processor: RequestProcessor

    func run() async {
        let processor = self.processor
        // Restored replies are indexed on first use; do it now, before most first requests arrive.
        Task.detached(priority: .utility) { processor.replies.settle() }
        await withGracefulShutdownHandler {
            await dispatcher.run { await processor.perform($0) }
        } onGracefulShutdown: { [dispatcher] in
            dispatcher.finish()
        }
    }
}
