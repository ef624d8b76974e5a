// Leasehold for C#: P/Invoke over the C ABI (include/leasehold.h).
//
//   using var client = Leasehold.Client.FromSettings("Designer", "4.2", VendorKey);
//   using var seat = client.Checkout("Designer");   // throws Leasehold.NoSeatException
//   seat.StateChanged += (s, info) => ...;          // on the seat's own thread
//   // ... Dispose releases the seat
//
// The native library is libleasehold.so (leasehold.dll, libleasehold.dylib).
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Leasehold
{
    /// <summary>A failed call: the stable error code (e.g. "untrusted_server") and a message.</summary>
    public class LeaseholdException : Exception
    {
        public string Code { get; }
        public int Status { get; }
        public LeaseholdException(int status, string code, string message) : base(message)
        {
            Status = status;
            Code = code;
        }
        public override string ToString() => Code + ": " + Message;
    }

    /// <summary>Every seat of the product is taken ("no_seat_free").</summary>
    public class NoSeatException : LeaseholdException
    {
        public NoSeatException(int status, string code, string message) : base(status, code, message) { }
    }

    public enum SeatState { Held = 1, Reconnecting = 2, Expiring = 3, Lost = 4, Regained = 5, Released = 6 }

    /// <summary>What giving a borrowed seat back did.</summary>
    public enum LoanReturn { Returned = 1, Pending = 2, None = 3 }

    /// <summary>A spend of consumption tokens as the server recorded it:
    /// Over is the part beyond the balance (the token overdraft), Left what
    /// was left of the period's balance, Replayed whether the key was spent
    /// before (nothing more was spent).</summary>
    public sealed class Spent
    {
        public ulong Amount { get; }
        public ulong Over { get; }
        public ulong Left { get; }
        public DateTimeOffset At { get; }
        public bool Replayed { get; }

        internal Spent(ulong amount, ulong over, ulong left, DateTimeOffset at, bool replayed)
        {
            Amount = amount; Over = over; Left = left; At = at; Replayed = replayed;
        }
    }

    /// <summary>A feature seat under a seat: Seats is the feature's count
    /// (null for a plain entitlement, not counted), InUse how many leases
    /// hold it now.</summary>
    public sealed class FeatureInfo
    {
        public long? Seats { get; internal set; }
        public uint InUse { get; internal set; }
    }

    /// <summary>Where a seat stands.</summary>
    public sealed class SeatInfo
    {
        public SeatState State { get; internal set; }
        /// <summary>Whether the product may be used now.</summary>
        public bool Usable { get; internal set; }
        public string LeaseId { get; internal set; } = "";
        /// <summary>Until when the lease is valid; null when none.</summary>
        public DateTimeOffset? ExpiresAt { get; internal set; }
        /// <summary>Lost / regained: why the seat was lost (a stable code).</summary>
        public string Reason { get; internal set; } = "";
        public string Detail { get; internal set; } = "";
    }

    internal static class Native
    {
        const string Lib = "leasehold";
        internal const int Ok = 0, NoSeat = 3;

        [StructLayout(LayoutKind.Sequential)]
        internal struct Error
        {
            public int Status;
            [MarshalAs(UnmanagedType.ByValArray, SizeConst = 64)] public byte[] Code;
            [MarshalAs(UnmanagedType.ByValArray, SizeConst = 1024)] public byte[] Message;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct Info
        {
            public int State;
            [MarshalAs(UnmanagedType.I1)] public bool Usable;
            [MarshalAs(UnmanagedType.ByValArray, SizeConst = 40)] public byte[] LeaseId;
            public long ExpiresAtMs;
            [MarshalAs(UnmanagedType.ByValArray, SizeConst = 64)] public byte[] Reason;
            [MarshalAs(UnmanagedType.ByValArray, SizeConst = 256)] public byte[] Detail;
        }

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate void Callback(IntPtr info, IntPtr userData);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate void PlaceCallback(uint position, uint waiting, IntPtr userData);

        [StructLayout(LayoutKind.Sequential)]
        internal struct FeatureInfo
        {
            public long Seats;
            public uint InUse;
        }

        [DllImport(Lib)] internal static extern IntPtr lh_version();
        [DllImport(Lib)] internal static extern int lh_client_from_settings(byte[] app, byte[] version, byte[] key, out IntPtr client, ref Error err);
        [DllImport(Lib)] internal static extern IntPtr lh_builder_new();
        [DllImport(Lib)] internal static extern void lh_builder_free(IntPtr builder);
        [DllImport(Lib)] internal static extern int lh_builder_server(IntPtr builder, byte[] address, ref Error err);
        [DllImport(Lib)] internal static extern int lh_builder_vendor_key(IntPtr builder, byte[] key, ref Error err);
        [DllImport(Lib)] internal static extern int lh_builder_tls_fingerprint(IntPtr builder, byte[] fingerprint, ref Error err);
        [DllImport(Lib)] internal static extern int lh_builder_app(IntPtr builder, byte[] name, byte[] version, ref Error err);
        [DllImport(Lib)] internal static extern int lh_builder_identity(IntPtr builder, byte[] clientId, byte[] user, ref Error err);
        [DllImport(Lib)] internal static extern int lh_builder_build(IntPtr builder, out IntPtr client, ref Error err);
        [DllImport(Lib)] internal static extern void lh_client_free(IntPtr client);
        [DllImport(Lib)] internal static extern int lh_checkout(ClientHandle client, byte[] product, uint timeoutMs, out IntPtr seat, ref Error err);
        [DllImport(Lib)] internal static extern int lh_seat_poll(SeatHandle seat, ref Info info, ref Error err);
        [DllImport(Lib)] internal static extern int lh_seat_on_change(SeatHandle seat, Callback callback, IntPtr userData, ref Error err);
        [DllImport(Lib)] internal static extern int lh_seat_release(IntPtr seat, uint timeoutMs, ref Error err);
        [DllImport(Lib)] internal static extern void lh_seat_free(IntPtr seat);
        [DllImport(Lib)] internal static extern int lh_builder_borrow_dir(IntPtr builder, byte[] dir, ref Error err);
        [DllImport(Lib)] internal static extern int lh_checkout_waiting(ClientHandle client, byte[] product, uint timeoutMs, PlaceCallback onPlace, IntPtr userData, out IntPtr seat, ref Error err);
        [DllImport(Lib)] internal static extern int lh_seat_checkout_feature(SeatHandle seat, byte[] feature, uint timeoutMs, ref FeatureInfo info, ref Error err);
        [DllImport(Lib)] internal static extern int lh_seat_release_feature(SeatHandle seat, byte[] feature, uint timeoutMs, ref Error err);
        [DllImport(Lib)] internal static extern int lh_borrow(ClientHandle client, byte[] product, uint hours, uint timeoutMs, out long untilMs, ref Error err);
        [StructLayout(LayoutKind.Sequential)]
        internal struct Spend
        {
            public ulong Amount;
            public ulong Over;
            public ulong Left;
            public long AtMs;
            [MarshalAs(UnmanagedType.I1)] public bool Replayed;
        }

        [DllImport(Lib)] internal static extern int lh_consume(ClientHandle client, byte[] product, ulong amount, byte[] key, byte[] note, uint timeoutMs, out Spend spend, ref Error err);
        [DllImport(Lib)] internal static extern int lh_return(ClientHandle client, byte[] product, uint timeoutMs, out int returned, ref Error err);

        internal static byte[] Utf8(string s) => s == null ? null : Encoding.UTF8.GetBytes(s + "\0");

        internal static string Text(byte[] buf)
        {
            if (buf == null) return "";
            int end = Array.IndexOf(buf, (byte)0);
            return Encoding.UTF8.GetString(buf, 0, end < 0 ? buf.Length : end);
        }

        internal static Error NewError() => new Error { Code = new byte[64], Message = new byte[1024] };
        internal static Info NewInfo() => new Info { LeaseId = new byte[40], Reason = new byte[64], Detail = new byte[256] };

        internal static void Check(int status, Error err)
        {
            if (status == Ok) return;
            if (status == NoSeat) throw new NoSeatException(status, Text(err.Code), Text(err.Message));
            throw new LeaseholdException(status, Text(err.Code), Text(err.Message));
        }

        internal static SeatInfo ToInfo(Info i) => new SeatInfo
        {
            State = (SeatState)i.State,
            Usable = i.Usable,
            LeaseId = Text(i.LeaseId),
            ExpiresAt = i.ExpiresAtMs == 0 ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(i.ExpiresAtMs),
            Reason = Text(i.Reason),
            Detail = Text(i.Detail),
        };
    }

    internal sealed class ClientHandle : SafeHandle
    {
        internal ClientHandle(IntPtr h) : base(IntPtr.Zero, true) { SetHandle(h); }
        public override bool IsInvalid => handle == IntPtr.Zero;
        protected override bool ReleaseHandle() { Native.lh_client_free(handle); return true; }
    }

    internal sealed class SeatHandle : SafeHandle
    {
        internal SeatHandle(IntPtr h) : base(IntPtr.Zero, true) { SetHandle(h); }
        public override bool IsInvalid => handle == IntPtr.Zero;
        // Not released by Dispose: in the background, without waiting.
        protected override bool ReleaseHandle() { Native.lh_seat_free(handle); return true; }
        internal IntPtr Take() { var h = handle; SetHandleAsInvalid(); return h; }
    }

    /// <summary>Knows where the server is and who is asking; checks seats out.</summary>
    public sealed class Client : IDisposable
    {
        readonly ClientHandle handle;
        Client(IntPtr h) { handle = new ClientHandle(h); }

        /// <summary>From the end user's settings (standalone or network;
        /// LEASEHOLD_SERVER for one run): what most applications want.</summary>
        public static Client FromSettings(string app, string version, string vendorKey)
        {
            var err = Native.NewError();
            Native.Check(Native.lh_client_from_settings(Native.Utf8(app), Native.Utf8(version), Native.Utf8(vendorKey), out IntPtr c, ref err), err);
            return new Client(c);
        }

        /// <summary>A client for these servers, trusting these vendor keys;
        /// "https://HOST:PORT" servers are trusted by their certificate's
        /// SHA-256 fingerprint when tlsFingerprints names it.</summary>
        public static Client Create(string[] servers, string[] vendorKeys, string app = "", string version = "", string clientId = null, string borrowDir = null, string[] tlsFingerprints = null)
        {
            var err = Native.NewError();
            IntPtr b = Native.lh_builder_new();
            try
            {
                foreach (var s in servers) Native.Check(Native.lh_builder_server(b, Native.Utf8(s), ref err), err);
                foreach (var k in vendorKeys) Native.Check(Native.lh_builder_vendor_key(b, Native.Utf8(k), ref err), err);
                foreach (var f in tlsFingerprints ?? new string[0]) Native.Check(Native.lh_builder_tls_fingerprint(b, Native.Utf8(f), ref err), err);
                Native.Check(Native.lh_builder_app(b, Native.Utf8(app), Native.Utf8(version), ref err), err);
                Native.Check(Native.lh_builder_identity(b, Native.Utf8(clientId), null, ref err), err);
                if (borrowDir != null) Native.Check(Native.lh_builder_borrow_dir(b, Native.Utf8(borrowDir), ref err), err);
            }
            catch
            {
                Native.lh_builder_free(b);
                throw;
            }
            Native.Check(Native.lh_builder_build(b, out IntPtr c, ref err), err);
            return new Client(c);
        }

        /// <summary>A seat of the product; throws NoSeatException when every seat is taken.</summary>
        public Seat Checkout(string product, uint timeoutMs = 30000)
        {
            var err = Native.NewError();
            Native.Check(Native.lh_checkout(handle, Native.Utf8(product), timeoutMs, out IntPtr s, ref err), err);
            return new Seat(new SeatHandle(s));
        }

        /// <summary>A seat of the product, waiting in the server's queue when
        /// none is free; onPlace(position, waiting) is called on this thread
        /// as the place changes. 0 waits as long as it takes; a timeout
        /// throws (code wait_timed_out), leaving the queue.</summary>
        public Seat CheckoutWaiting(string product, uint timeoutMs = 0, Action<uint, uint> onPlace = null)
        {
            var err = Native.NewError();
            Native.PlaceCallback place = (position, waiting, _) => onPlace?.Invoke(position, waiting);
            int status = Native.lh_checkout_waiting(handle, Native.Utf8(product), timeoutMs, place, IntPtr.Zero, out IntPtr s, ref err);
            GC.KeepAlive(place);
            Native.Check(status, err);
            return new Seat(new SeatHandle(s));
        }

        /// <summary>Borrows a seat for hours to work without the server;
        /// checkouts use it until the time returned.</summary>
        public DateTimeOffset Borrow(string product, uint hours, uint timeoutMs = 30000)
        {
            var err = Native.NewError();
            Native.Check(Native.lh_borrow(handle, Native.Utf8(product), hours, timeoutMs, out long until, ref err), err);
            return DateTimeOffset.FromUnixTimeMilliseconds(until);
        }

        /// <summary>Gives a borrowed seat back early (dead here at once; the
        /// server hears now, or at the next contact: Pending).</summary>
        public LoanReturn ReturnBorrowed(string product, uint timeoutMs = 10000)
        {
            var err = Native.NewError();
            Native.Check(Native.lh_return(handle, Native.Utf8(product), timeoutMs, out int returned, ref err), err);
            return (LoanReturn)returned;
        }

        /// <summary>Spends <c>amount</c> of the product's consumption tokens
        /// under <c>key</c> (one key per spend); the same key again, after any
        /// failure, answers the first spend and spends nothing more.</summary>
        public Spent Consume(string product, ulong amount, string key, string note = null, uint timeoutMs = 30000)
        {
            var err = Native.NewError();
            Native.Check(Native.lh_consume(handle, Native.Utf8(product), amount, Native.Utf8(key), Native.Utf8(note), timeoutMs, out Native.Spend s, ref err), err);
            return new Spent(s.Amount, s.Over, s.Left, DateTimeOffset.FromUnixTimeMilliseconds(s.AtMs), s.Replayed);
        }

        public static string Version => Marshal.PtrToStringAnsi(Native.lh_version());

        public void Dispose() => handle.Dispose();
    }

    /// <summary>A held seat, renewed in the background; Dispose releases it.</summary>
    public sealed class Seat : IDisposable
    {
        readonly SeatHandle handle;
        Native.Callback callback; // kept alive while registered
        EventHandler<SeatInfo> changed;

        internal Seat(SeatHandle h) { handle = h; }

        /// <summary>The seat's state now.</summary>
        public SeatInfo Info
        {
            get
            {
                var err = Native.NewError();
                var info = Native.NewInfo();
                Native.Check(Native.lh_seat_poll(handle, ref info, ref err), err);
                return Native.ToInfo(info);
            }
        }

        /// <summary>Raised on the seat's own library thread at every change
        /// of state, the last time with Released (before Dispose returns).
        /// The thread ends with the seat.</summary>
        public event EventHandler<SeatInfo> StateChanged
        {
            add
            {
                lock (this)
                {
                    if (changed == null)
                    {
                        callback = (ptr, _) =>
                        {
                            var info = Native.ToInfo(Marshal.PtrToStructure<Native.Info>(ptr));
                            changed?.Invoke(this, info);
                        };
                        var err = Native.NewError();
                        Native.Check(Native.lh_seat_on_change(handle, callback, IntPtr.Zero, ref err), err);
                    }
                    changed += value;
                }
            }
            remove { lock (this) { changed -= value; } }
        }

        /// <summary>A seat of the feature under this seat's lease; it ends
        /// with the seat or ReleaseFeature. Throws with code
        /// no_feature_seat_free when all are held.</summary>
        public FeatureInfo CheckoutFeature(string feature, uint timeoutMs = 10000)
        {
            var err = Native.NewError();
            var info = new Native.FeatureInfo();
            Native.Check(Native.lh_seat_checkout_feature(handle, Native.Utf8(feature), timeoutMs, ref info, ref err), err);
            return new FeatureInfo { Seats = info.Seats < 0 ? (long?)null : info.Seats, InUse = info.InUse };
        }

        /// <summary>Gives the feature's seat back before the seat ends.</summary>
        public void ReleaseFeature(string feature, uint timeoutMs = 10000)
        {
            var err = Native.NewError();
            Native.Check(Native.lh_seat_release_feature(handle, Native.Utf8(feature), timeoutMs, ref err), err);
        }

        /// <summary>Releases the seat now (the server frees it at once).</summary>
        public void Release(uint timeoutMs = 10000)
        {
            if (handle.IsInvalid || handle.IsClosed) return;
            var err = Native.NewError();
            int status = Native.lh_seat_release(handle.Take(), timeoutMs, ref err);
            GC.KeepAlive(callback);
            Native.Check(status, err);
        }

        public void Dispose() => Release();
    }
}
