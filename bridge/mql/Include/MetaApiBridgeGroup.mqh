// Symbol group masks as MetaTrader defines them, shared by the MQL5 and MQL4 programs: conditions separated by commas,
// `*` standing for any run of characters, `!` excluding what its mask matches. A name is in the group when no exclusion
// matches it and an inclusion does (or the group has exclusions only). Case does not matter, spaces are ignored.
#ifndef METAAPI_BRIDGE_GROUP_MQH
#define METAAPI_BRIDGE_GROUP_MQH

// Whether the upper-case `name` matches one upper-case mask without `!`.
bool MtbGlob(const string name, const string mask)
{
   if(StringFind(mask, "*") < 0) return name == mask;
   int at = 0;
   for(int from = 0, part_no = 0; ; part_no++)
   {
      int star = StringFind(mask, "*", from);
      string part = star < 0 ? StringSubstr(mask, from) : StringSubstr(mask, from, star - from);
      int n = StringLen(part);
      if(star < 0) return StringLen(name) >= at + n && StringSubstr(name, StringLen(name) - n) == part;
      if(part_no == 0)
      {
         // The text before the first `*` anchors at the start.
         if(StringSubstr(name, 0, n) != part) return false;
         at = n;
      }
      else if(n > 0)
      {
         int found = StringFind(name, part, at);
         if(found < 0) return false;
         at = found + n;
      }
      from = star + 1;
   }
   return false;
}

bool MtbGroupMatch(const string symbol, const string group)
{
   string name = symbol, masks = group;
   StringToUpper(name);
   StringToUpper(masks);
   StringReplace(masks, " ", "");
   bool included = false, any_inclusion = false;
   for(int from = 0; from <= StringLen(masks); )
   {
      int comma = StringFind(masks, ",", from);
      string mask = comma < 0 ? StringSubstr(masks, from) : StringSubstr(masks, from, comma - from);
      from = comma < 0 ? StringLen(masks) + 1 : comma + 1;
      if(mask == "") continue;
      if(StringSubstr(mask, 0, 1) == "!") { if(MtbGlob(name, StringSubstr(mask, 1))) return false; }
      else { any_inclusion = true; if(MtbGlob(name, mask)) included = true; }
   }
   return included || !any_inclusion;
}

#endif // METAAPI_BRIDGE_GROUP_MQH
