/** A public access rule set protecting a content item; only these fields are read. */
export interface CmsPublicAccessEntry {
  /** The entry's unique key. */
  key: string;
  /** The protected content item. */
  protectedNodeId: string;
  /** The content item holding the login page. */
  loginNodeId?: string | null;
  /** The content item shown to members without access. */
  noAccessNodeId?: string | null;
  /** Who may see it: member groups or usernames (`{ ruleType: 'MemberRole', ruleValue: 'Staff' }`). */
  rules?: readonly { ruleType: string; ruleValue: string }[];
}
