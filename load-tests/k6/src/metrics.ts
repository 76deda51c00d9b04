// The custom metrics every k6 script reports, created once per VU at init as k6 requires.
// Latencies are Trends in milliseconds (isTime), so thresholds read "p(99)<2" as 2 ms.
import { Counter, Rate, Trend } from 'k6/metrics';

/** From just after an order frame is sent to the arrival of the frame carrying its answer (durable ack). */
export const orderAckLatency = new Trend('order_ack_latency', true);
/** From just after an order frame is sent to the arrival of its first fill report; tagged liquidity maker|taker. */
export const orderFillLatency = new Trend('order_fill_latency', true);
export const cancelAckLatency = new Trend('cancel_ack_latency', true);
/** From opening the websocket to an established encrypted session (ClientHello out, ServerHello checked). */
export const sessionOpenLatency = new Trend('session_open_latency', true);
export const heartbeatLatency = new Trend('heartbeat_latency', true);

export const sessionsOpened = new Counter('sessions_opened');
export const ordersSent = new Counter('orders_sent');
export const ordersAcked = new Counter('orders_acked');
export const ordersFilled = new Counter('orders_filled');
export const cancelsAcked = new Counter('cancels_acked');
/** The enclave answered a request with a coded error (rejected order, unknown order, ...). */
export const requestsRejected = new Counter('requests_rejected');
/** Requests with no answer within ACK_TIMEOUT (or when the session ended). */
export const answersLost = new Counter('answers_lost');
/** Channel faults: a frame that did not open, a channel-level error from the enclave, an answer of the wrong shape. */
export const protocolErrors = new Counter('protocol_errors');
/** Sessions that failed to open or that the server closed (coded close), or a socket error. */
export const sessionErrors = new Counter('session_errors');
/** Per request: true when it was rejected or lost. */
export const requestErrors = new Rate('request_errors');
