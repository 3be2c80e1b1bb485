/** The admin page's entry: defines the components (the app shell pulls in every page). */
import './admin-app';
