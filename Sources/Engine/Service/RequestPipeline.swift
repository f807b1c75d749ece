import Actors

/// The way into the engine for every transport: route → admit → lane. A request that passes admission
/// waits in its lane for the middleware and handler (`RequestProcessor.handle`).
final class RequestPipeline: Sendable {
    let router: Router
    let processor: RequestProcessor
    let dispatcher: Dispatcher<RequestProcessor.Work>

    init(router: Router, processor: RequestProcessor, dispatcher: Dispatcher<RequestProcessor.Work>) {
        self.router = router
        self.processor = processor
        self.dispatcher = dispatcher
    }

    /// The route a topic selects (nil: `unknown_route`) and the lane its requests are ordered in.
    func classify(_ topic: String) -> (match: RouteMatch?, laneKey: String) {
        let match = router.match(topic)
        return (match, match?.laneKey ?? topic)
    }

    /// Offers a request on the transport's thread. Declines it (false) while its lane is full, before
    /// admitting it, so its rate-limit token is not spent twice: a transport that can wait (libmosquitto's
    /// client) then holds it and stops reading until the lane has room.
    func offer(_ request: InboundRequest) -> Bool {
        let (match, key) = classify(request.topic)
        return offer(request, match: match, laneKey: key)
    }

    /// `offer(_:)` for a request whose route the transport already looked up.
    func offer(_ request: InboundRequest, match: RouteMatch?, laneKey key: String) -> Bool {
        // Never decoded (admit drops it): not worth a place in a lane, where it would hold its bytes.
        if request.payload.count > RequestProcessor.hardPayloadLimit {
            processor.drop(request, reason: "payload over \(RequestProcessor.hardPayloadLimit) bytes",
                           answering: ChatError(.tooLarge, "the payload is over \(RequestProcessor.hardPayloadLimit) bytes"))
            return true
        }
        // A file chunk is up to 2 MiB of JSON, and any other payload this large is refused anyway:
        // decoding it here would hold up every other request behind it, so the bulk lane admits it.
        let bulk = match?.isBulk == true || request.payload.count > processor.inlinePayloadLimit
        guard dispatcher.hasRoom(key: key, bulk: bulk) else { return false }
        if bulk {
            if !dispatcher.submit(.unadmitted(request, match), key: key, bulk: true) {
                processor.admit(request, match: match).map(processor.refuseBusy)
            }
            return true
        }
        guard let inbound = processor.admit(request, match: match) else { return true }
        // Another transport may have taken the free slot since `hasRoom`; a `.caller` route's lane is known
        // only now, and may be full.
        let lane = match?.laneKey(admittedFor: inbound.user.userId, classified: key) ?? key
        if !dispatcher.submit(.admitted(inbound), key: lane) { processor.refuseBusy(inbound) }
        return true
    }

    /// Takes a request from a transport that cannot wait (the WebSocket gateway, HTTP): a request whose
    /// lane is full is answered `rate_limited` (busy) instead of declined.
    func submit(_ request: InboundRequest) {
        let (match, key) = classify(request.topic)
        if !offer(request, match: match, laneKey: key) {
            processor.admit(request, match: match).map(processor.refuseBusy)
        }
    }
}
