// Holds a seat of PRODUCT for LEASEHOLD_HOLD_SECS seconds (default 1), then
// releases it; the same behaviour as every other language's example:
// exit 0, 3 when no seat is free, 1 with the error's code and message.
//
//   mcs -out:checkout.exe Leasehold.cs Example.cs && mono checkout.exe PRODUCT
using System;
using System.Threading;

static class Example
{
    static int Main(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: checkout.exe PRODUCT");
            return 1;
        }
        string key = Environment.GetEnvironmentVariable("LEASEHOLD_VENDOR_KEY") ?? "";
        string hold = Environment.GetEnvironmentVariable("LEASEHOLD_HOLD_SECS") ?? "1";
        try
        {
            using (var client = Leasehold.Client.FromSettings("checkout-csharp", "1.0", key))
            using (var seat = client.Checkout(args[0]))
            {
                Console.WriteLine("holding " + args[0] + " (lease " + seat.Info.LeaseId + ")");
                Thread.Sleep(TimeSpan.FromSeconds(double.Parse(hold)));
            }
            return 0;
        }
        catch (Leasehold.NoSeatException e)
        {
            Console.Error.WriteLine(e.Code + ": " + e.Message);
            return 3;
        }
        catch (Leasehold.LeaseholdException e)
        {
            Console.Error.WriteLine(e.Code + ": " + e.Message);
            return 1;
        }
    }
}
