// Coded errors of order validation and matching rejects (3xxx). Part of the one error table in ./index.ts.
// 3001–3199: market specs, commands and the matcher. 3200–3999: decimal edge, reference book, benchmark.
import type { ErrorSection } from './spec.js';

export const MATCHING_ERRORS = {
  MATCHING_INTERNAL: { code: 3000, message: 'Internal matching error; the request was not applied.' },

  MARKET_SPEC_INVALID: { code: 3001, message: 'The market spec is malformed: a field is missing, of the wrong type or out of range.' },
  MARKET_SPEC_DECIMAL_INVALID: { code: 3002, message: 'A tick or lot size is not a plain positive decimal string within the allowed precision.' },
  MARKET_SPEC_NOT_INTEGRAL: { code: 3003, message: 'The lot size or tick size times lot size is not a whole number of asset atoms.' },
  MARKET_SPEC_HALF_TICK_INEXACT: { code: 3004, message: 'One tick times one lot must be an even number of quote atoms so that midpoint fills at half a tick have an exact notional.' },
  MARKET_DUPLICATE: { code: 3005, message: 'Two markets in the matcher configuration share one id.' },
  MARKET_UNKNOWN: { code: 3006, message: 'The command names a market this matcher does not host.' },
  MARKET_LIMIT_INVALID: { code: 3007, message: 'A configured limit is not a positive integer within its hard bound.' },

  COMMAND_MALFORMED: { code: 3010, message: 'The command has an unknown type or a field of the wrong type.' },
  SEQUENCE_NOT_INCREASING: { code: 3011, message: 'The command sequence number is not greater than the previous one.' },
  TIME_WENT_BACKWARDS: { code: 3012, message: 'The command logical time is earlier than the previous command.' },
  ACCOUNT_INVALID: { code: 3013, message: 'The account is empty or longer than the allowed length.' },
  ACCOUNTS_FULL: { code: 3014, message: 'The matcher already tracks its maximum number of accounts.' },

  CLIENT_ORDER_ID_INVALID: { code: 3020, message: 'The client order id is empty or longer than the allowed length.' },
  CLIENT_ORDER_ID_DUPLICATE: { code: 3021, message: 'The account already used this client order id for an open or recently finished order.' },
  SIDE_INVALID: { code: 3022, message: 'The side must be buy or sell.' },
  ORDER_TYPE_INVALID: { code: 3023, message: 'The order type must be limit, market, midpoint or primaryPeg.' },
  TIME_IN_FORCE_INVALID: { code: 3024, message: 'The time in force is unknown or not allowed for this order type.' },
  SELF_TRADE_PREVENTION_INVALID: { code: 3025, message: 'The self-trade prevention mode must be cancelNewest, cancelOldest, cancelBoth or decrement.' },
  SIZE_INVALID: { code: 3026, message: 'The size must be a positive whole number of lots.' },
  SIZE_TOO_LARGE: { code: 3027, message: 'The size exceeds the market maximum in lots.' },
  SIZE_BELOW_MINIMUM: { code: 3028, message: 'The size is below the market minimum size in lots.' },
  PRICE_INVALID: { code: 3029, message: 'The price must be a positive whole number of ticks.' },
  PRICE_TOO_LARGE: { code: 3030, message: 'The price exceeds the market maximum in ticks.' },
  PRICE_OUTSIDE_BAND: { code: 3031, message: 'The price lies outside the allowed band around the reference price.' },
  MIN_QTY_INVALID: { code: 3032, message: 'The minimum quantity must be a whole number of lots, zero for none.' },
  MIN_QTY_EXCEEDS_SIZE: { code: 3033, message: 'The minimum quantity is larger than the order size.' },
  EXPIRY_INVALID: { code: 3034, message: 'A GTT order needs a whole-millisecond expiry later than the command time; other orders must not carry one.' },
  POST_ONLY_NOT_ALLOWED: { code: 3035, message: 'Post-only is allowed only for limit orders with time in force GTC or GTT.' },
  POST_ONLY_WOULD_TRADE: { code: 3036, message: 'The post-only order would have traded on arrival, so it was not placed.' },
  PEG_OFFSET_INVALID: { code: 3037, message: 'The peg offset must be a whole number of ticks within the market maximum price.' },
  REFERENCE_UNAVAILABLE: { code: 3038, message: 'The order needs a reference quote that is set, not crossed and not stale.' },
  ORDER_TYPE_NOT_IN_AUCTION: { code: 3039, message: 'Auction markets accept only limit and market orders without minimum quantity, post-only or fill-or-kill.' },

  BOOK_FULL: { code: 3050, message: 'The market holds its maximum number of resting orders.' },
  ACCOUNT_ORDER_LIMIT: { code: 3051, message: 'The account holds its maximum number of resting orders in this market.' },
  LEVELS_FULL: { code: 3052, message: 'The book side holds its maximum number of price levels.' },
  PEGGED_ORDERS_FULL: { code: 3053, message: 'The market holds its maximum number of midpoint and primary peg orders.' },
  GTT_ORDERS_FULL: { code: 3054, message: 'The market holds its maximum number of orders with an expiry time.' },

  ORDER_NOT_FOUND: { code: 3060, message: 'No open order of this account matches the given order id or client order id.' },
  AMEND_INVALID: { code: 3061, message: 'The amend changes nothing, or names a size that is not a positive whole number of lots.' },
  AMEND_PRICE_NOT_APPLICABLE: { code: 3062, message: 'Only limit orders can change price; pegged orders follow the reference.' },
  AMEND_BELOW_MIN_QTY: { code: 3063, message: 'The new size is below the order minimum quantity.' },

  REFERENCE_INVALID: { code: 3070, message: 'Reference bid and ask must be positive whole numbers of ticks within the market maximum price.' },
  AUCTION_NOT_AUCTION_MARKET: { code: 3071, message: 'The market matches continuously and does not run auctions.' },
  AUCTION_TOO_EARLY: { code: 3072, message: 'The auction interval since the previous auction has not elapsed.' },

  SNAPSHOT_INVALID: { code: 3080, message: 'The snapshot is malformed, of another version, or inconsistent with itself.' },

  DECIMAL_NOT_STRING: { code: 3200, message: 'A price or size must be sent as a decimal string, not as a number or another type.' },
  DECIMAL_TOO_LONG: { code: 3201, message: 'The decimal string is longer than the allowed number of characters.' },
  DECIMAL_WHITESPACE: { code: 3202, message: 'The decimal string contains whitespace; send the digits alone.' },
  DECIMAL_PLUS_SIGN: { code: 3203, message: 'The decimal string starts with a plus sign; send the digits alone.' },
  DECIMAL_EXPONENT: { code: 3204, message: 'Exponent notation (such as 1e5) is not accepted; write the number out in plain digits.' },
  DECIMAL_NOT_FINITE: { code: 3205, message: 'NaN and Infinity are not numbers a price or size can take.' },
  DECIMAL_MALFORMED: { code: 3206, message: 'The string is not a plain decimal: digits, at most one point with digits on both sides, no leading zeros.' },
  DECIMAL_NEGATIVE: { code: 3207, message: 'The value is negative; prices and sizes must be greater than zero.' },
  DECIMAL_ZERO: { code: 3208, message: 'The value is zero; prices and sizes must be greater than zero.' },
  DECIMAL_TOO_MANY_DECIMALS: { code: 3209, message: 'The value has more decimal places than the market tick size or lot size allows.' },
  DECIMAL_NOT_TICK_MULTIPLE: { code: 3210, message: 'The price is not a whole multiple of the market tick size.' },
  DECIMAL_NOT_LOT_MULTIPLE: { code: 3211, message: 'The size is not a whole multiple of the market lot size.' },
  DECIMAL_PRICE_TOO_LARGE: { code: 3212, message: 'The price exceeds the market maximum price.' },
  DECIMAL_SIZE_TOO_LARGE: { code: 3213, message: 'The size exceeds the market maximum order size.' },
  DECIMAL_OFFSET_TOO_LARGE: { code: 3214, message: 'The peg offset is larger in magnitude than the market maximum price.' },
  DECIMAL_FORMAT_INVALID: { code: 3215, message: 'A value to format is not a whole number in range (ticks and lots non-negative safe integers, atoms a bigint of bounded length).' },
} as const satisfies ErrorSection;

/** The name of a matching error, as carried by rejected events. */
export type MatchingErrorName = keyof typeof MATCHING_ERRORS;
