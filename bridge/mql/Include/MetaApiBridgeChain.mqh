// The serving chain of the EAs, shared by MQL4 and MQL5: each serving slice ends by posting the next one to the EA's
// own chart as a custom chart event (EventChartCustom), so a request is answered as soon as it arrives instead of
// at the next timer event (the terminal's timer does not fire more often than every 10-16 ms). The terminal's event
// queue is first in, first out, so ticks, book changes and trade events that arrive during a slice are handled
// before the next slice. The timer stays: it restarts the chain when its event was lost and does the periodic work.
#ifndef METAAPI_BRIDGE_CHAIN_MQH
#define METAAPI_BRIDGE_CHAIN_MQH

// The chain's two custom event ids (CHARTEVENT_CUSTOM + these); the posts alternate between them because the
// terminal discards a chart event of the kind being handled, and the slice posts from inside OnChartEvent.
#define MTB_CHAIN_EVENT_A 31741
#define MTB_CHAIN_EVENT_B 31742

bool   g_chain_pending = false; // a post is in the queue and not handled yet (at most one is)
ushort g_chain_next = MTB_CHAIN_EVENT_A;
int    g_chain_timers = 0;      // timer events handled since the pending post

// Posts the next slice unless one is in the queue. lparam carries the session, so an event another program posted
// with the same id is not taken for the chain's. A refused post (a full queue) leaves the restart to the timer.
void MtbChainPost(const long session)
{
   if(g_chain_pending || session == 0) return;
   if(!EventChartCustom(0, g_chain_next, session, 0.0, "")) return;
   g_chain_pending = true;
   g_chain_timers = 0;
   g_chain_next = g_chain_next == MTB_CHAIN_EVENT_A ? (ushort)MTB_CHAIN_EVENT_B : (ushort)MTB_CHAIN_EVENT_A;
}

// Whether OnChartEvent's event is the chain's next slice; taking it makes room for the next post.
bool MtbChainTake(const long session, const int id, const long lparam)
{
   if(id != CHARTEVENT_CUSTOM + MTB_CHAIN_EVENT_A && id != CHARTEVENT_CUSTOM + MTB_CHAIN_EVENT_B) return false;
   if(session == 0 || lparam != session) return false;
   g_chain_pending = false;
   return true;
}

// From OnTimer: restarts the chain when its post was lost. The queue holds at most one Timer event, so the second
// timer event after a post was queued after it; if the post has not been handled by then, it never will be.
void MtbChainTimer(const long session)
{
   if(g_chain_pending)
   {
      g_chain_timers++;
      if(g_chain_timers < 2) return;
      Print("metaapi bridge: the serving chain's event was lost; restarting it");
      g_chain_pending = false;
   }
   MtbChainPost(session);
}

#endif // METAAPI_BRIDGE_CHAIN_MQH
