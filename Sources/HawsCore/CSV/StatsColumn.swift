/// The stats CSV columns the typed model reads, resolved to positions once per header.
///
/// Looking a column up by name hashes the name; at 10,000 servers and ~45 columns per row that was a
/// tenth of a poll. The header resolves these once; rows read by position (the case's raw value indexes
/// the header's table). Any other column is still readable by name (``StatsRow/subscript(_:)``).
public enum StatsColumn: Int, CaseIterable, Sendable {
    case act
    case addr
    case algo
    case bck
    case bin
    case bout
    case checkCode
    case checkDesc
    case checkDuration
    case checkStatus
    case chkdown
    case chkfail
    case downtime
    case dreq
    case econ
    case ereq
    case eresp
    case hrsp1xx
    case hrsp2xx
    case hrsp3xx
    case hrsp4xx
    case hrsp5xx
    case hrspOther
    case lastChk
    case lastchg
    case mode
    case pxname
    case qcur
    case qlimit
    case qmax
    case rate
    case reqRate
    case reqTot
    case scur
    case slim
    case smax
    case status
    case stot
    case svname
    case uweight
    case weight
    case wredis
    case wretr
    case type

    /// Columns the model reads from a row only when asked (``StatsRow`` splits it then), not while parsing.
    ///
    /// The parser splits each row only up to the last column it keeps: at 10,000 servers that is ~1.3
    /// million cells a poll, and `uweight` alone (position 99 of 128 in 2.6, after `algo` at 76) kept it
    /// splitting 23 more cells of every row for a value that only the detail pane shows.
    public var isReadOnDemand: Bool { self == .uweight }

    /// The column's name in HAProxy's CSV header.
    public var name: String {
        switch self {
        case .act: "act"
        case .addr: "addr"
        case .algo: "algo"
        case .bck: "bck"
        case .bin: "bin"
        case .bout: "bout"
        case .checkCode: "check_code"
        case .checkDesc: "check_desc"
        case .checkDuration: "check_duration"
        case .checkStatus: "check_status"
        case .chkdown: "chkdown"
        case .chkfail: "chkfail"
        case .downtime: "downtime"
        case .dreq: "dreq"
        case .econ: "econ"
        case .ereq: "ereq"
        case .eresp: "eresp"
        case .hrsp1xx: "hrsp_1xx"
        case .hrsp2xx: "hrsp_2xx"
        case .hrsp3xx: "hrsp_3xx"
        case .hrsp4xx: "hrsp_4xx"
        case .hrsp5xx: "hrsp_5xx"
        case .hrspOther: "hrsp_other"
        case .lastChk: "last_chk"
        case .lastchg: "lastchg"
        case .mode: "mode"
        case .pxname: "pxname"
        case .qcur: "qcur"
        case .qlimit: "qlimit"
        case .qmax: "qmax"
        case .rate: "rate"
        case .reqRate: "req_rate"
        case .reqTot: "req_tot"
        case .scur: "scur"
        case .slim: "slim"
        case .smax: "smax"
        case .status: "status"
        case .stot: "stot"
        case .svname: "svname"
        case .uweight: "uweight"
        case .weight: "weight"
        case .wredis: "wredis"
        case .wretr: "wretr"
        case .type: "type"
        }
    }
}
